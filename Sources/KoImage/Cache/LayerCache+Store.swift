import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing entries and blobs; every failure here is a miss or
/// a skipped store, never a failed build.
extension LayerCache {
    var entriesDirectory: String { directory + "/layers/entries" }
    var blobsDirectory: String { directory + "/layers/blobs" }

    func entryPath(_ key: LayerCacheKey) -> String { entriesDirectory + "/" + key.name + ".json" }
    func blobPath(_ digest: Digest) -> String { blobsDirectory + "/sha256-" + digest.hex + ".tar.gz" }

    // MARK: - Lookup

    /// The entry filed under `key` whose blob looks intact, or nil.
    func lookup(_ key: LayerCacheKey) -> LayerCacheEntry? {
        let path = entryPath(key)
        guard access(path, F_OK) == 0 else { return nil }
        guard let bytes = try? InputFile.readAll(path: path, limit: 64 << 10),
              let entry = LayerCacheEntry(bytes: bytes) else {
            logger.debug("layer cache entry \(path) is unreadable; rebuilding it")
            return nil
        }
        guard entry.key == key.canonicalText else {
            logger.debug("layer cache entry \(path) belongs to another key; rebuilding it")
            return nil
        }
        let blob = blobPath(entry.digest)
        var info = stat()
        guard stat(blob, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int64(info.st_size) == entry.size else {
            logger.debug("layer cache blob \(blob) is missing or not \(entry.size) bytes; rebuilding it")
            return nil
        }
        if verifiesDigests {
            guard let actual = try? LayerCache.sha256(ofFile: blob), actual == entry.digest else {
                logger.debug("layer cache blob \(blob) does not hash to \(entry.digest); rebuilding it")
                return nil
            }
        }
        return entry
    }

    /// Puts the cached blob of `entry` into `directory` as
    /// `sha256-<hex>.tar.gz`; nil when that fails (the blob went away).
    func materialize(_ entry: LayerCacheEntry, mediaType: String, in directory: String) -> Layer? {
        let destination = directory + "/sha256-" + entry.digest.hex + ".tar.gz"
        do {
            try LayerBuilder.makeDirectory(directory)
            try LayerCache.place(blobPath(entry.digest), at: destination, size: entry.size)
            return entry.layer(path: destination, mediaType: mediaType)
        } catch {
            logger.debug("layer cache blob \(blobPath(entry.digest)) could not be used: \(error)")
            return nil
        }
    }

    // MARK: - Store

    /// Files `layer` under `key`: the blob first, then the entry, so an
    /// entry never names a blob that is not there yet.
    func store(_ layer: Layer, key: LayerCacheKey) {
        do {
            try LayerBuilder.makeDirectory(entriesDirectory, mode: 0o700)
            try LayerBuilder.makeDirectory(blobsDirectory, mode: 0o700)
            // Always replaced: a blob already there may be the damaged one
            // that made this a miss. A link costs nothing; a copy is small
            // next to the compression a miss has just done.
            try LayerCache.place(layer.path, at: blobPath(layer.digest), size: layer.descriptor.size)
            let entry = LayerCacheEntry(key: key, layer: layer)
            try OutputFile.writeAtomically(entry.bytes, to: entryPath(key))
            logger.debug("layer cache stored \(key): \(layer.digest)")
        } catch {
            reportUnwritable("\(error)")
        }
    }

    // MARK: - Files

    /// Makes `destination` the same bytes as `source` (`size` bytes long):
    /// a hard link when possible, else a copy, either way renamed into place.
    static func place(_ source: String, at destination: String, size: Int64) throws {
        let temporary = destination + ".tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        if link(source, temporary) != 0 {
            guard [EXDEV, EPERM, EMLINK, ENOTSUP].contains(errno) else {
                throw LayerError.writeFailed(path: temporary, reason: LayerError.errnoText())
            }
            try copy(source, to: temporary, size: size)
        }
        try OutputFile.rename(temporary, to: destination)
    }

    /// Streams `source` into a new file `destination`, checking its length.
    static func copy(_ source: String, to destination: String, size: Int64) throws {
        let input = try InputFile(path: source)
        let output = try OutputFile(path: destination)
        do {
            let copied = try input.forEachChunk { try output.write($0) }
            guard copied == size else {
                throw LayerError.fileChangedWhileReading(path: source, expected: size, actual: copied)
            }
            try output.close()
        } catch {
            unlink(destination)
            throw error
        }
    }

    static func sha256(ofFile path: String) throws -> Digest {
        let hasher = MessageDigest.sha256()
        try InputFile(path: path).forEachChunk { hasher.update($0) }
        return Digest(hex: hexString(hasher.finalize()))
    }
}
