/// A content descriptor (OCI image spec, "Descriptors").
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?

    public init(mediaType: String, digest: Digest, size: Int64, urls: [String]? = nil,
                annotations: [String: String]? = nil, platform: Platform? = nil,
                artifactType: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }
}

/// The platform an image runs on (OCI image index, "platform").
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case os, architecture, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil,
                osVersion: String? = nil, osFeatures: [String]? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
    }

    /// `os/arch[/variant][:osversion]`, as ko prints platforms.
    public var description: String {
        var text = "\(os)/\(architecture)"
        if let variant, !variant.isEmpty { text += "/\(variant)" }
        if let osVersion, !osVersion.isEmpty { text += ":\(osVersion)" }
        return text
    }
}
