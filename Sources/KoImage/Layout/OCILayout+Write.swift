import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OCILayout {
    // MARK: - Blobs

    /// Stores `bytes` as a blob and returns its digest.
    @discardableResult
    public func writeBlob(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        try writeBlob(expected: Descriptor(mediaType: "", digest: digest, size: Int64(bytes.count))) { sink in
            try bytes.withUnsafeBytes { try sink($0) }
        }
        return digest
    }

    /// Copies the blob file at `file` in, verifying it against `descriptor`.
    public func copyBlob(from file: String, descriptor: Descriptor) throws {
        let input = try InputFile(path: file)
        try writeBlob(expected: descriptor, source: file) { sink in try input.forEachChunk { try sink($0) } }
    }

    /// Streams the blob `descriptor` from `source` in, unless already present.
    public func copyBlob(_ descriptor: Descriptor, from source: BlobSource) throws {
        try writeBlob(expected: descriptor, source: "\(source)") { sink in
            try source.streamBlob(descriptor, to: sink)
        }
    }

    /// Writes the bytes `produce` hands to its sink as the blob `expected`,
    /// checking digest and size before the blob becomes visible. A blob that
    /// is already present is left alone.
    public func writeBlob(expected: Descriptor, source: String = "stream",
                          _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard expected.digest.algorithm == "sha256" else { throw LayoutError.unsupportedDigest(expected.digest) }
        if hasBlob(expected.digest) { return }
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let temporary = "\(path)/blobs/sha256/.tmp-\(getpid())-\(nonce)"
        let output = try OutputFile(path: temporary)
        let hasher = MessageDigest.sha256()
        var size: Int64 = 0
        do {
            try produce { chunk in
                hasher.update(chunk)
                size += Int64(chunk.count)
                try output.write(chunk)
            }
            try output.close()
            let actual = Digest(hex: hexString(hasher.finalize()))
            guard size == expected.size else {
                throw LayoutError.sizeMismatch(digest: expected.digest, expected: expected.size, actual: size,
                                               source: source)
            }
            guard actual == expected.digest else {
                throw LayoutError.digestMismatch(expected: expected.digest, actual: actual, source: source)
            }
            try OutputFile.rename(temporary, to: blobPath(expected.digest))
        } catch {
            unlink(temporary)
            throw error
        }
    }

    // MARK: - Images

    /// Writes `image`'s config, its added layers (from their files) and its
    /// base layers (from `baseBlobs`) as blobs, then the manifest.
    /// Blobs already present are skipped. Does not touch `index.json`.
    public func writeBlobs(of image: BuiltImage, baseBlobs: BlobSource?) throws {
        try writeBlob(expected: image.configDescriptor) { try image.configBytes.withUnsafeBytes($0) }
        for layer in image.addedLayers {
            try copyBlob(from: layer.path, descriptor: layer.descriptor)
        }
        for descriptor in image.baseLayers where !hasBlob(descriptor.digest) {
            guard let baseBlobs else { throw LayoutError.missingBlob(digest: descriptor.digest, layout: path) }
            try copyBlob(descriptor, from: baseBlobs)
        }
        try writeBlob(expected: image.manifestDescriptor) { try image.manifestBytes.withUnsafeBytes($0) }
    }

    /// Writes `image` and lists it in `index.json`, named `refName` when given
    /// (replacing an entry of the same name). Returns the index entry.
    @discardableResult
    public func appendImage(_ image: BuiltImage, baseBlobs: BlobSource?, refName: String? = nil,
                            platform: Platform? = nil) throws -> Descriptor {
        try writeBlobs(of: image, baseBlobs: baseBlobs)
        var entry = image.manifestDescriptor
        entry.platform = platform
        return try appendToIndex(entry, refName: refName)
    }

    /// Writes an index (its images first) and lists it in `index.json`.
    @discardableResult
    public func appendIndex(bytes: [UInt8], descriptor: Descriptor, images: [BuiltImage], baseBlobs: BlobSource?,
                            refName: String? = nil) throws -> Descriptor {
        for image in images { try writeBlobs(of: image, baseBlobs: baseBlobs) }
        try writeBlob(expected: descriptor) { try bytes.withUnsafeBytes($0) }
        return try appendToIndex(descriptor, refName: refName)
    }

    /// Adds `descriptor` to `index.json`, annotated with `refName` when given.
    /// An existing entry with the same name loses the name (the name moves,
    /// as a tag does), so a name always points at one image; identical
    /// entries are kept once.
    @discardableResult
    public func appendToIndex(_ descriptor: Descriptor, refName: String? = nil) throws -> Descriptor {
        var index = try readIndex()
        var entry = descriptor
        if let refName {
            for position in index.manifests.indices
            where index.manifests[position].annotations?[Self.refNameAnnotation] == refName {
                index.manifests[position].annotations?[Self.refNameAnnotation] = nil
                if index.manifests[position].annotations?.isEmpty == true {
                    index.manifests[position].annotations = nil
                }
            }
            var annotations = entry.annotations ?? [:]
            annotations[Self.refNameAnnotation] = refName
            entry.annotations = annotations
        }
        index.manifests.append(entry)
        // Keep one of each identical entry (the last), so re-adding is harmless.
        var seen: Set<Descriptor> = []
        index.manifests = index.manifests.reversed().filter { seen.insert($0).inserted }.reversed()
        try OutputFile.writeAtomically(try index.canonicalBytes(), to: path + "/index.json")
        return entry
    }
}
