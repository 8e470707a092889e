/// Writes an OCI image layout as a tar file (what `skopeo oci-archive:`
/// reads): `oci-layout`, `blobs/sha256/<hex>` and `index.json`.
///
/// ko cannot save a multi-platform image with `--tarball` (a `docker
/// save` tarball holds single images); this is the format for that case.
/// The file is written beside `path` and renamed into place; blobs stream
/// through and are verified, never held whole in memory.
///
/// Docker-typed manifests (from a Docker v2 base) keep their media types.
/// skopeo 1.9 finds such an entry only when no name is asked for
/// (`oci-archive:FILE`, which needs exactly one entry: give at most one tag).
public enum OCIArchive {
    /// One image or index and the names it is listed under in `index.json`.
    public struct Entry {
        /// An image, or an index with the images it lists.
        public enum Content {
            case image(BuiltImage)
            case index(bytes: [UInt8], descriptor: Descriptor, images: [BuiltImage])
        }

        public var content: Content
        /// Full references such as `registry.example/app:v1`. Each becomes
        /// an `index.json` entry annotated with the tag (`org.opencontainers.
        /// image.ref.name`, what `oci-archive:FILE:TAG` selects) and the full
        /// name (`io.containerd.image.name`, what containerd and Docker load
        /// as the image name). No tags gives one unnamed entry.
        public var tags: [String]
        /// Where the base images' layers come from.
        public var baseBlobs: BlobSource?

        public init(content: Content, tags: [String], baseBlobs: BlobSource?) {
            self.content = content
            self.tags = tags
            self.baseBlobs = baseBlobs
        }
    }

    /// Annotation containerd and Docker read for the full image name.
    public static let imageNameAnnotation = "io.containerd.image.name"

    /// Writes an index and its images, named `tags`, to `path`.
    public static func write(indexBytes: [UInt8], indexDescriptor: Descriptor, images: [BuiltImage],
                             tags: [String], baseBlobs: BlobSource?, to path: String) throws {
        let content = Entry.Content.index(bytes: indexBytes, descriptor: indexDescriptor, images: images)
        try write([Entry(content: content, tags: tags, baseBlobs: baseBlobs)], to: path)
    }

    /// Writes every entry's blobs (shared blobs once) and an `index.json`
    /// listing them, to `path`.
    public static func write(_ entries: [Entry], to path: String) throws {
        guard !entries.isEmpty else { throw TarballError.noImages(archive: path) }
        let archive = try ArchiveWriter(path: path)
        try archive.addFile("oci-layout", bytes: OCILayout.layoutFileContent)
        try archive.addDirectory("blobs")
        try archive.addDirectory("blobs/sha256")
        var index = ImageIndex()
        for entry in entries {
            let top = try addBlobs(of: entry, to: archive)
            index.manifests += indexEntries(for: top, tags: entry.tags)
        }
        try archive.addFile("index.json", bytes: try index.canonicalBytes())
        try archive.commit()
    }

    /// Writes an entry's blobs, children before parents, and returns the
    /// descriptor of its top manifest or index.
    private static func addBlobs(of entry: Entry, to archive: ArchiveWriter) throws -> Descriptor {
        switch entry.content {
        case let .image(image):
            try addImage(image, blobs: ImageBlobs(images: [image], baseBlobs: entry.baseBlobs), to: archive)
            return image.manifestDescriptor
        case let .index(bytes, descriptor, images):
            let blobs = ImageBlobs(images: images, extra: [descriptor.digest: bytes], baseBlobs: entry.baseBlobs)
            for image in images { try addImage(image, blobs: blobs, to: archive) }
            try archive.addBlob(blobName(descriptor), descriptor: descriptor, from: blobs)
            return descriptor
        }
    }

    private static func addImage(_ image: BuiltImage, blobs: ImageBlobs, to archive: ArchiveWriter) throws {
        try archive.addBlob(blobName(image.configDescriptor), descriptor: image.configDescriptor, from: blobs)
        for layer in image.manifest.layers {
            try archive.addBlob(blobName(layer), descriptor: layer, from: blobs)
        }
        try archive.addBlob(blobName(image.manifestDescriptor), descriptor: image.manifestDescriptor, from: blobs)
    }

    private static func blobName(_ descriptor: Descriptor) -> String {
        "blobs/\(descriptor.digest.algorithm)/\(descriptor.digest.hex)"
    }

    private static func indexEntries(for descriptor: Descriptor, tags: [String]) -> [Descriptor] {
        var plain = descriptor
        plain.platform = nil
        plain.annotations = nil
        guard !tags.isEmpty else { return [plain] }
        return tags.map { reference in
            var entry = plain
            var annotations = [imageNameAnnotation: reference]
            if let tag = tagPart(of: reference) { annotations[OCILayout.refNameAnnotation] = tag }
            entry.annotations = annotations
            return entry
        }
    }

    /// `v1` of `registry:5000/app:v1`; nil when the reference has no tag.
    static func tagPart(of reference: String) -> String? {
        let name = reference.split(separator: "@", maxSplits: 1).first.map(String.init) ?? reference
        guard let lastComponent = name.split(separator: "/").last,
              let colon = lastComponent.lastIndex(of: ":") else { return nil }
        let tag = lastComponent[lastComponent.index(after: colon)...]
        return tag.isEmpty ? nil : String(tag)
    }
}
