import Foundation
import KoCrypto
import KoLog

/// A cache of compressed layers on disk, so that an unchanged binary or
/// kodata tree is not compressed again on the next build.
///
/// A lookup writes the layer's tar stream into a sha256 instead of a
/// compressor: that reads the binary once (as hashing it would) and gives
/// the diffID, which with the compressor settings is the key (see
/// `LayerCacheKey`). A hit hard-links the cached blob into the build's
/// directory (copying when the two are on different file systems), so the
/// layer gets the same digest as last time and a registry that has it is
/// not sent it again. A miss builds the layer as usual and files it.
///
/// Layout under `directory`: `layers/entries/<key>.json` (a
/// `LayerCacheEntry`) and `layers/blobs/sha256-<hex>.tar.gz`. Every file is
/// written under a temporary name and renamed into place, so builds sharing
/// the directory, in threads or processes, never see half a file: when two
/// file the same entry the last rename wins and both are valid. A lookup
/// checks the blob's size against its entry (and its digest when
/// `verifiesDigests`); a damaged entry is a miss and is rebuilt. A blob
/// damaged without a change of size is caught when an upload hashes it, and
/// mended then (`repairDamagedLayer`). A cache
/// that cannot be written never fails a build; it is reported once as a
/// warning and the build goes on uncached.
// FIXME: nothing is ever evicted, and the temporary files of a build killed
// mid-write stay behind; the cache grows until the user deletes it.
public final class LayerCache: @unchecked Sendable {
    /// The cache root (`KOCACHE`, or `ko` in the user's cache directory).
    public let directory: String
    /// Whether a hit re-hashes the blob; otherwise only its size is checked.
    public let verifiesDigests: Bool
    let logger: Logger

    /// Hits and misses of one `LayerCache` value.
    public struct Statistics: Equatable, Sendable {
        public var hits = 0
        public var misses = 0

        public init(hits: Int = 0, misses: Int = 0) {
            self.hits = hits
            self.misses = misses
        }
    }

    /// How to make again each layer given out, should its blob prove damaged.
    let recipes = LayerRecipes()
    private let lock = NSLock()
    private var counts = Statistics()
    private var warnedUnwritable = false

    /// A cache rooted at `directory`, created on first write (mode 0700:
    /// it holds the user's binaries).
    public init(directory: String, verifiesDigests: Bool = false, logger: Logger = .silent) {
        self.directory = directory
        self.verifiesDigests = verifiesDigests
        self.logger = logger
    }

    /// The default cache root: `$KOCACHE`, else `$XDG_CACHE_HOME/ko`, else
    /// `$HOME/.cache/ko`; nil when none of them is set.
    public static func defaultDirectory(environment: [String: String]) -> String? {
        if let kocache = environment["KOCACHE"], !kocache.isEmpty { return kocache }
        // The XDG base directory spec ignores relative paths.
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/ko" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/ko" }
        return nil
    }

    /// The cache at `defaultDirectory(environment:)`, or nil when there is no
    /// directory to put it in.
    public static func fromEnvironment(_ environment: [String: String], verifiesDigests: Bool = false,
                                       logger: Logger = .silent) -> LayerCache? {
        defaultDirectory(environment: environment).map {
            LayerCache(directory: $0, verifiesDigests: verifiesDigests, logger: logger)
        }
    }

    /// Hits and misses so far.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    // MARK: - Layers

    /// The binary layer of `BinaryLayer.build`, from the cache when the same
    /// bytes were compressed the same way before. The blob lands in `directory`.
    ///
    /// A file seen before and unchanged since (a Go binary with the same
    /// build ID, any other file with the same inode, size and mtime) is not
    /// read at all: its diffID is remembered (see `FileFingerprint`). A
    /// build that set its own build ID passes `trustsBuildID: false`.
    public func binaryLayer(binary: String, name: String, mediaType: String = MediaType.ociLayerGzip,
                            compression: LayerCompression = .default, trustsBuildID: Bool = true,
                            in directory: String,
                            progress: ((Int64) -> Void)? = nil) throws -> (layer: Layer, hit: Bool) {
        try BinaryLayer.checkName(name)
        let entries: (TarWriter) throws -> Void = { tar in
            try BinaryLayer.addEntries(to: tar, binary: binary, name: name)
        }
        let recipe = LayerRecipes.Recipe(compression: compression) { directory in
            try Layer.build(in: directory, mediaType: mediaType, compression: compression, entries)
        }
        let fingerprint = FileFingerprint(path: binary, trustsBuildID: trustsBuildID)
        if let fingerprint,
           let diffID = rememberedDiffID(fingerprint, layerName: name, compression: compression),
           let entry = lookup(LayerCacheKey(diffID: diffID, compression: compression)),
           let layer = materialize(entry, mediaType: mediaType, in: directory) {
            count(hit: true)
            recipes.record(recipe, for: layer.digest)
            logger.debug("layer cache hit for unchanged \(binary): \(layer.digest)")
            return (layer, true)
        }
        let found: (layer: Layer, hit: Bool)
        if fingerprint?.isGoBinary == true {
            // A build ID never seen is new content: build in one pass (the
            // diffID comes with the layer) rather than hash it first to look.
            count(hit: false)
            let built = try Layer.build(in: directory, mediaType: mediaType, compression: compression,
                                        progress: progress, entries)
            store(built, key: LayerCacheKey(diffID: built.diffID, compression: compression))
            found = (built, false)
        } else {
            found = try layer(mediaType: mediaType, compression: compression, in: directory, progress: progress,
                              entries)
        }
        recipes.record(recipe, for: found.layer.digest)
        // Only a file that did not change while it was read is remembered.
        if let fingerprint, FileFingerprint(path: binary) == fingerprint {
            remember(found.layer.diffID, for: fingerprint, layerName: name, compression: compression)
        }
        return found
    }

    /// The kodata layer of `KodataLayer.build`, from the cache when the tree's
    /// paths and contents (and `dataDate`) are unchanged. Every file is read
    /// to compute the key, so an edit that keeps size and mtime still misses.
    public func kodataLayer(packageDirectory: String, moduleRoot: String, dataDate: Int64 = 0,
                            mediaType: String = MediaType.ociLayerGzip,
                            compression: LayerCompression = .default, in directory: String,
                            progress: ((Int64) -> Void)? = nil) throws -> (layer: Layer, hit: Bool) {
        let resolvedModuleRoot = try KodataLayer.checkModuleRoot(moduleRoot)
        let entries: (TarWriter) throws -> Void = { tar in
            try KodataLayer.addEntries(to: tar, packageDirectory: packageDirectory,
                                       resolvedModuleRoot: resolvedModuleRoot, dataDate: dataDate)
        }
        let found = try layer(mediaType: mediaType, compression: compression, in: directory, progress: progress,
                              entries)
        recipes.record(LayerRecipes.Recipe(compression: compression) { directory in
            try Layer.build(in: directory, mediaType: mediaType, compression: compression, entries)
        }, for: found.layer.digest)
        return found
    }

    /// Any layer whose tar entries `entries` writes. `entries` runs once to
    /// compute the key and, on a miss, once more to build the layer, so it
    /// must write the same entries each time. `progress` sees the bytes of
    /// the compression, which a hit skips.
    public func layer(mediaType: String = MediaType.ociLayerGzip, compression: LayerCompression = .default,
                      in directory: String, progress: ((Int64) -> Void)? = nil,
                      _ entries: (TarWriter) throws -> Void) throws -> (layer: Layer, hit: Bool) {
        let diffID = try LayerCache.diffID(of: entries)
        let key = LayerCacheKey(diffID: diffID, compression: compression)
        if let entry = lookup(key), let layer = materialize(entry, mediaType: mediaType, in: directory) {
            count(hit: true)
            logger.debug("layer cache hit for \(key): \(layer.digest)")
            return (layer, true)
        }
        count(hit: false)
        let built = try Layer.build(in: directory, mediaType: mediaType, compression: compression,
                                    progress: progress, entries)
        // The key of what was built: if a file changed since the lookup,
        // the entry still describes its own blob.
        store(built, key: LayerCacheKey(diffID: built.diffID, compression: compression))
        return (built, false)
    }

    /// The sha256 of the uncompressed tar stream `entries` writes.
    static func diffID(of entries: (TarWriter) throws -> Void) throws -> Digest {
        let hasher = MessageDigest.sha256()
        let tar = TarWriter { hasher.update($0) }
        try entries(tar)
        try tar.finish()
        return Digest(hex: hexString(hasher.finalize()))
    }

    private func count(hit: Bool) {
        lock.lock()
        if hit { counts.hits += 1 } else { counts.misses += 1 }
        lock.unlock()
    }

    /// Reports the first failed write as a warning, later ones at debug.
    func reportUnwritable(_ reason: String) {
        lock.lock()
        let first = !warnedUnwritable
        warnedUnwritable = true
        lock.unlock()
        let message = "layer cache \(directory) cannot be written (\(reason)); building without it. "
            + "Point KOCACHE at a writable directory to cache layers"
        if first { logger.warning(message) } else { logger.debug(message) }
    }
}
