import KoJSON

/// An image manifest: OCI image manifest or Docker image manifest v2 schema 2
/// (OCI image spec, "Image Manifest").
public struct Manifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?
    public var subject: Descriptor?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, artifactType: String? = nil,
                config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil,
                subject: Descriptor? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.annotations = annotations
        self.subject = subject
    }

    /// Parses manifest bytes as a registry or layout returned them.
    public init(parsing bytes: [UInt8]) throws {
        let json = try JSONValue(parsing: bytes, document: "image manifest")
        guard json["config"] != nil else {
            throw ModelError.invalidDocument(document: "image manifest", reason: "it has no 'config'; "
                + "is it an index or a schema 1 manifest?")
        }
        var value = json
        if value["layers"] == nil || value["layers"] == .null { value["layers"] = .array([]) }
        self = try value.decode(Manifest.self)
    }

    /// The canonical bytes of this manifest, the ones to hash and push.
    public func canonicalBytes() throws -> [UInt8] { try JSONValue(encoding: self).canonicalBytes }

    /// True for a Docker v2s2 manifest (by its own media type, else its config's).
    public var isDocker: Bool {
        if let mediaType { return mediaType == MediaType.dockerManifest }
        return config.mediaType == MediaType.dockerConfig
    }

    /// The layer media type that matches this manifest's format, as ko picks it.
    public var matchingLayerMediaType: String {
        isDocker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip
    }
}
