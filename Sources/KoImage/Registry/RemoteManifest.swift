/// A manifest or index as a registry served it: the exact bytes (whose
/// digest names it), their media type and digest.
public struct RemoteManifest: Sendable {
    public let bytes: [UInt8]
    public let mediaType: String
    public let digest: Digest

    public init(bytes: [UInt8], mediaType: String, digest: Digest) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.digest = digest
    }

    /// A descriptor pointing at this manifest.
    public var descriptor: Descriptor {
        Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// Whether this is an index (OCI image index or Docker manifest list).
    public var isIndex: Bool { MediaType.isIndex(mediaType) }
}
