/// A compressed layer blob on disk, with the digests an image needs.
///
/// `descriptor` addresses the compressed bytes (what a manifest lists and a
/// registry stores); `diffID` is the sha256 of the uncompressed tar (what
/// the config's `rootfs.diff_ids` lists).
public struct Layer: Hashable, Sendable {
    /// The compressed blob file.
    public var path: String
    /// Media type, digest and size of the compressed blob.
    public var descriptor: Descriptor
    /// sha256 of the uncompressed tar stream.
    public var diffID: Digest
    /// Size of the uncompressed tar stream.
    public var uncompressedSize: Int64

    public init(path: String, descriptor: Descriptor, diffID: Digest, uncompressedSize: Int64) {
        self.path = path
        self.descriptor = descriptor
        self.diffID = diffID
        self.uncompressedSize = uncompressedSize
    }

    /// The compressed digest, `descriptor.digest`.
    public var digest: Digest { descriptor.digest }

    /// The same blob typed as `mediaType` (the bytes do not change: ko types
    /// new layers to match the base image's manifest).
    public func withMediaType(_ mediaType: String) -> Layer {
        var copy = self
        copy.descriptor.mediaType = mediaType
        return copy
    }

    /// Writes a layer into `directory` from the tar entries `body` adds.
    ///
    /// The tar stream is compressed and hashed in one pass and written to
    /// `directory/sha256-<hex>.tar.gz`; nothing is kept in memory. `progress`
    /// gets the running total of tar bytes compressed.
    public static func build(in directory: String, mediaType: String = MediaType.ociLayerGzip,
                             compression: LayerCompression = .default, progress: ((Int64) -> Void)? = nil,
                             _ body: (TarWriter) throws -> Void) throws -> Layer {
        let builder = try LayerBuilder(directory: directory, mediaType: mediaType, compression: compression,
                                       progress: progress)
        try body(builder.tar)
        return try builder.finish()
    }
}
