import KoJSON

/// The record `<key>.json` in a layer cache: what the cached blob is.
///
/// The blob itself lives beside it as `blobs/sha256-<hex>.tar.gz`, shared
/// by every entry that compresses to the same bytes.
struct LayerCacheEntry: Equatable {
    var key: String
    var digest: Digest
    var size: Int64
    var diffID: Digest
    var uncompressedSize: Int64
    var mediaType: String

    init(key: LayerCacheKey, layer: Layer) {
        self.key = key.canonicalText
        digest = layer.digest
        size = layer.descriptor.size
        diffID = layer.diffID
        uncompressedSize = layer.uncompressedSize
        mediaType = layer.descriptor.mediaType
    }

    /// Reads an entry; nil for anything unreadable, so a damaged entry is
    /// a miss rather than a failed build.
    init?(bytes: [UInt8]) {
        guard let json = try? JSONValue(parsing: bytes, document: "layer cache entry"),
              json["version"]?.int64Value == Int64(LayerCacheKey.formatVersion),
              let key = json["key"]?.stringValue,
              let digestText = json["digest"]?.stringValue, let digest = try? Digest(parsing: digestText),
              let diffIDText = json["diffID"]?.stringValue, let diffID = try? Digest(parsing: diffIDText),
              let size = json["size"]?.int64Value, size >= 0,
              let uncompressedSize = json["uncompressedSize"]?.int64Value, uncompressedSize >= 0,
              let mediaType = json["mediaType"]?.stringValue,
              digest.algorithm == "sha256" else { return nil }
        self.key = key
        self.digest = digest
        self.size = size
        self.diffID = diffID
        self.uncompressedSize = uncompressedSize
        self.mediaType = mediaType
    }

    var bytes: [UInt8] {
        JSONValue.object([
            "version": .integer(LayerCacheKey.formatVersion),
            "key": .string(key),
            "digest": .string(digest.description),
            "size": .integer(size),
            "diffID": .string(diffID.description),
            "uncompressedSize": .integer(uncompressedSize),
            "mediaType": .string(mediaType),
        ]).canonicalBytes
    }

    /// The cached layer with its blob at `path`, typed `mediaType`.
    func layer(path: String, mediaType: String) -> Layer {
        Layer(path: path, descriptor: Descriptor(mediaType: mediaType, digest: digest, size: size),
              diffID: diffID, uncompressedSize: uncompressedSize)
    }
}
