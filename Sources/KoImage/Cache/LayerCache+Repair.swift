import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mending a layer whose blob was damaged on disk after the cache handed it
/// out. A hit checks only the blob's size (hashing it would read every
/// cached layer on every build), so the damage shows when the blob is read
/// for an upload; `RegistryClient.uploadBlob(file:)` hashes it first and
/// throws `RegistryError.blobFileDamaged`, and the caller asks for a repair.
extension LayerCache {
    /// Checks that the file of `layer` (a layer this cache gave out in this
    /// run) holds the bytes its digest names, and mends it with
    /// `repairDamagedLayer` when not. For outputs that take a file as it is,
    /// where no registry checks the digest; reads the whole file.
    public func ensureIntact(_ layer: Layer) throws {
        guard (try? LayerCache.sha256(ofFile: layer.path)) != layer.digest else { return }
        _ = try repairDamagedLayer(layer)
    }

    /// Makes the file of `layer` (a layer this cache gave out in this run,
    /// whose file does not hash to its digest) right again, and returns the
    /// layer, whose file at the same path then holds the bytes its digest
    /// names; the image assembled with it stays as it is.
    ///
    /// The cache's blob, if intact, is put in place of the file. Otherwise
    /// it is removed, the layer is made again from its source, checked
    /// against its digest, filed in the cache and put in place. Throws
    /// `LayerCacheError` when that cannot be done in this run; the damaged
    /// blob is gone by then, so the next run compresses the layer anew.
    public func repairDamagedLayer(_ layer: Layer) throws -> Layer {
        recipes.repairLock.lock()
        defer { recipes.repairLock.unlock() }
        let blob = blobPath(layer.digest)
        let size = layer.descriptor.size

        // The cache's copy may be intact: mended by an earlier repair, or the
        // damage was in the build's own copy of it.
        if access(blob, F_OK) == 0 {
            if (try? LayerCache.sha256(ofFile: blob)) == layer.digest {
                try LayerCache.place(blob, at: layer.path, size: size)
                logger.debug("layer \(layer.digest) at \(layer.path) replaced with the intact \(blob)")
                return layer
            }
            unlink(blob)
        }
        guard let recipe = recipes.recipe(for: layer.digest) else {
            throw LayerCacheError.damagedBlob(path: blob, digest: layer.digest)
        }
        logger.warning("layer cache blob \(blob) was damaged (it does not hash to \(layer.digest)); "
            + "removed it and compressing the layer again")

        // Made again in a directory of its own, then renamed over the
        // damaged file (which may be a hard link of the removed blob).
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let work = (layer.path as NSString).deletingLastPathComponent + "/.layer-repair-\(getpid())-\(nonce)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let rebuilt = try recipe.build(work)
        store(rebuilt, key: LayerCacheKey(diffID: rebuilt.diffID, compression: recipe.compression))
        guard rebuilt.digest == layer.digest else {
            throw LayerCacheError.rebuiltLayerDiffers(path: blob, expected: layer.digest, actual: rebuilt.digest)
        }
        try LayerCache.place(rebuilt.path, at: layer.path, size: size)
        logger.debug("layer \(layer.digest) compressed again into \(layer.path)")
        return layer
    }
}
