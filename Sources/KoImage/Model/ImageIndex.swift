import KoJSON

/// An image index: OCI image index or Docker manifest list
/// (OCI image spec, "Image Index").
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?
    public var subject: Descriptor?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, artifactType: String? = nil,
                manifests: [Descriptor] = [], annotations: [String: String]? = nil, subject: Descriptor? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.annotations = annotations
        self.subject = subject
    }

    /// Parses index bytes as a registry or layout returned them.
    public init(parsing bytes: [UInt8]) throws {
        var json = try JSONValue(parsing: bytes, document: "image index")
        guard json.objectValue != nil else {
            throw ModelError.invalidDocument(document: "image index", reason: "it is not a JSON object")
        }
        if json["manifests"] == nil || json["manifests"] == .null { json["manifests"] = .array([]) }
        self = try json.decode(ImageIndex.self)
    }

    /// The canonical bytes of this index, the ones to hash and push.
    public func canonicalBytes() throws -> [UInt8] { try JSONValue(encoding: self).canonicalBytes }
}
