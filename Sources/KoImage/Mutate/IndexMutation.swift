/// Builds the image index ko publishes for a multi-platform base: one entry
/// per built image, in base order, carrying the base entry's media type,
/// platform, annotations and URLs, with the base index's media type and
/// annotations (ko's `buildAll`).
public struct IndexMutation: Sendable {
    public private(set) var index: ImageIndex

    /// Starts an empty index shaped like `baseIndex` (its media type and annotations).
    public init(baseIndex: ImageIndex) {
        index = ImageIndex(schemaVersion: 2, mediaType: baseIndex.mediaType ?? MediaType.ociIndex,
                           manifests: [], annotations: baseIndex.annotations)
    }

    /// Adds `image`, built from the base entry `baseEntry`.
    public mutating func append(_ image: BuiltImage, baseEntry: Descriptor) {
        index.manifests.append(Descriptor(mediaType: baseEntry.mediaType, digest: image.digest,
                                          size: image.manifestDescriptor.size, urls: baseEntry.urls,
                                          annotations: baseEntry.annotations, platform: baseEntry.platform))
    }

    /// The canonical index bytes and their descriptor.
    public func build() throws -> (bytes: [UInt8], descriptor: Descriptor) {
        let bytes = try index.canonicalBytes()
        return (bytes, Descriptor(mediaType: index.mediaType ?? MediaType.ociIndex,
                                  digest: Digest.sha256(of: bytes), size: Int64(bytes.count)))
    }
}
