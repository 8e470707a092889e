import KoCrypto

/// What an `index.json` entry points at.
public enum LayoutEntry: Sendable {
    case image(Manifest, descriptor: Descriptor)
    case index(ImageIndex, descriptor: Descriptor)

    /// The entry's descriptor in `index.json`.
    public var descriptor: Descriptor {
        switch self {
        case let .image(_, descriptor), let .index(_, descriptor): return descriptor
        }
    }
}

extension OCILayout: BlobSource {
    /// The top-level `index.json`.
    public func readIndex() throws -> ImageIndex {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.readAll(path: path + "/index.json", limit: 16 << 20)
        } catch {
            throw LayoutError.notALayout(path: path, reason: "it has no readable index.json")
        }
        return try ImageIndex(parsing: bytes)
    }

    /// A small blob (manifest, index, config), read whole and verified.
    public func readBlob(_ descriptor: Descriptor, limit: Int = 64 << 20) throws -> [UInt8] {
        guard hasBlob(descriptor.digest) else {
            throw LayoutError.missingBlob(digest: descriptor.digest, layout: path)
        }
        let bytes = try InputFile.readAll(path: blobPath(descriptor.digest), limit: limit)
        let actual = Digest.sha256(of: bytes)
        guard actual == descriptor.digest else {
            throw LayoutError.digestMismatch(expected: descriptor.digest, actual: actual,
                                             source: blobPath(descriptor.digest))
        }
        guard Int64(bytes.count) == descriptor.size else {
            throw LayoutError.sizeMismatch(digest: descriptor.digest, expected: descriptor.size,
                                           actual: Int64(bytes.count), source: blobPath(descriptor.digest))
        }
        return bytes
    }

    public func streamBlob(_ descriptor: Descriptor, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard hasBlob(descriptor.digest) else {
            throw LayoutError.missingBlob(digest: descriptor.digest, layout: path)
        }
        let input = try InputFile(path: blobPath(descriptor.digest))
        let hasher = MessageDigest.sha256()
        let size = try input.forEachChunk { chunk in
            hasher.update(chunk)
            try sink(chunk)
        }
        let actual = Digest(hex: hexString(hasher.finalize()))
        guard actual == descriptor.digest else {
            throw LayoutError.digestMismatch(expected: descriptor.digest, actual: actual,
                                             source: blobPath(descriptor.digest))
        }
        guard size == descriptor.size else {
            throw LayoutError.sizeMismatch(digest: descriptor.digest, expected: descriptor.size, actual: size,
                                           source: blobPath(descriptor.digest))
        }
    }

    /// The manifest `descriptor` points at.
    public func readManifest(_ descriptor: Descriptor) throws -> Manifest {
        try Manifest(parsing: readBlob(descriptor))
    }

    /// The index `descriptor` points at.
    public func readImageIndex(_ descriptor: Descriptor) throws -> ImageIndex {
        try ImageIndex(parsing: readBlob(descriptor))
    }

    /// The config of `manifest`.
    public func readConfig(of manifest: Manifest) throws -> ImageConfig {
        try ImageConfig(parsing: readBlob(manifest.config))
    }

    /// The `index.json` entry named `refName`, or the only entry when
    /// `refName` is nil, loaded as an image or an index.
    public func entry(named refName: String? = nil) throws -> LayoutEntry {
        let manifests = try readIndex().manifests
        let descriptor: Descriptor
        if let refName {
            guard let match = manifests.last(where: { $0.annotations?[Self.refNameAnnotation] == refName }) else {
                let names = manifests.compactMap { $0.annotations?[Self.refNameAnnotation] }
                throw LayoutError.noSuchReference(name: refName, layout: path, available: names)
            }
            descriptor = match
        } else {
            guard let only = manifests.first else { throw LayoutError.emptyLayout(path: path) }
            guard manifests.count == 1 else {
                throw LayoutError.ambiguousReference(layout: path, count: manifests.count)
            }
            descriptor = only
        }
        if MediaType.isIndex(descriptor.mediaType) {
            return .index(try readImageIndex(descriptor), descriptor: descriptor)
        }
        return .image(try readManifest(descriptor), descriptor: descriptor)
    }
}
