import KoJSON

/// Writes images in the `docker save` format, the one `docker load`,
/// `skopeo docker-archive:` and `ko build --tarball` use.
///
/// Layout (as go-containerregistry's `tarball.MultiRefWrite` writes it):
/// each image's config as `sha256:<hex>`, each layer as `<hex>.tar.gz`
/// (shared layers once), then `manifest.json`, an array of
/// `{"Config", "RepoTags", "Layers"}` sorted by tags. The file is written
/// beside `path` and renamed into place; blobs stream through and are
/// verified, never held whole in memory.
public enum DockerTarball {
    /// One image and the names it is saved under.
    public struct Entry {
        public var image: BuiltImage
        /// Full references such as `registry.example/app:latest`; none
        /// gives `"RepoTags": null` (loaded untagged). A name without a tag
        /// gets `:latest`; digest references are left out.
        public var tags: [String]
        /// Where the base image's layers come from.
        public var baseBlobs: BlobSource?

        public init(image: BuiltImage, tags: [String], baseBlobs: BlobSource?) {
            self.image = image
            self.tags = tags
            self.baseBlobs = baseBlobs
        }
    }

    /// Writes one image tagged `tags` to `path`.
    public static func write(image: BuiltImage, tags: [String], baseBlobs: BlobSource?, to path: String) throws {
        try write([Entry(image: image, tags: tags, baseBlobs: baseBlobs)], to: path)
    }

    /// Writes several images (ko puts every import path of a run in one
    /// tarball) to `path`. Entries for the same image are merged.
    public static func write(_ entries: [Entry], to path: String) throws {
        let merged = merge(entries)
        guard !merged.isEmpty else { throw TarballError.noImages(archive: path) }
        let archive = try ArchiveWriter(path: path)
        for entry in merged {
            let blobs = ImageBlobs(images: [entry.image], baseBlobs: entry.baseBlobs)
            try archive.addBlob(configName(entry.image), descriptor: entry.image.configDescriptor, from: blobs)
            for layer in entry.image.manifest.layers {
                try archive.addBlob(layerName(layer), descriptor: layer, from: blobs)
            }
        }
        try archive.addFile("manifest.json", bytes: manifestJSON(merged))
        try archive.commit()
    }

    /// The `manifest.json` for `entries`, fields in go-containerregistry's order.
    static func manifestJSON(_ entries: [Entry]) -> [UInt8] {
        let sorted = entries.sorted { $0.tags.joined(separator: ",") < $1.tags.joined(separator: ",") }
        let items = sorted.map { entry -> String in
            let tags = entry.tags.isEmpty ? "null" : "[" + entry.tags.map(quoted).joined(separator: ",") + "]"
            let layers = entry.image.manifest.layers.map { quoted(layerName($0)) }.joined(separator: ",")
            return "{\"Config\":\(quoted(configName(entry.image))),\"RepoTags\":\(tags),\"Layers\":[\(layers)]}"
        }
        return Array(("[" + items.joined(separator: ",") + "]").utf8)
    }

    /// The config entry keeps the digest's colon, as `docker save` did.
    static func configName(_ image: BuiltImage) -> String { image.configDescriptor.digest.description }

    /// Layers drop the algorithm (tar reads `host:file` as a remote tape)
    /// and end in `.tar.gz` for gunzip, as go-containerregistry names them.
    static func layerName(_ layer: Descriptor) -> String { layer.digest.hex + ".tar.gz" }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONValue.string(text).canonicalBytes, as: UTF8.self)
    }

    /// Docker cannot load an image name without a tag, so a reference
    /// without one gets `:latest`; a digest reference names no tag at all.
    static func repoTag(_ reference: String) -> String? {
        if reference.contains("@") || reference.isEmpty { return nil }
        let lastComponent = reference.split(separator: "/").last ?? Substring(reference)
        return lastComponent.contains(":") ? reference : reference + ":latest"
    }

    /// One entry per distinct image (by manifest digest), tags in first-given order.
    private static func merge(_ entries: [Entry]) -> [Entry] {
        var merged: [Entry] = []
        for var entry in entries {
            entry.tags = entry.tags.compactMap(repoTag)
            if let position = merged.firstIndex(where: { $0.image.digest == entry.image.digest }) {
                for tag in entry.tags where !merged[position].tags.contains(tag) { merged[position].tags.append(tag) }
                if merged[position].baseBlobs == nil { merged[position].baseBlobs = entry.baseBlobs }
            } else {
                merged.append(entry)
            }
        }
        return merged
    }
}
