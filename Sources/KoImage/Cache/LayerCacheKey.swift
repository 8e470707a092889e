import CDeflate
import CZlib
import KoCrypto

/// What a cached layer is filed under: the sha256 of the uncompressed tar
/// stream (its diffID) together with everything else that shapes the
/// compressed bytes.
///
/// The diffID covers every path, mode, mtime and file byte the layer holds,
/// so a binary renamed, a kodata file edited or a different
/// KO_DATA_DATE_EPOCH all give a new key. The compressor, its settings and
/// the library version complete it: a zlib upgrade may deflate the same
/// input differently, and a cached blob must be what an uncached build
/// would write on this machine. The media type is left out on purpose;
/// it does not change the bytes, and a hit is retyped to the one asked for.
struct LayerCacheKey: Hashable, CustomStringConvertible {
    /// Bumped whenever the entry format or the key's inputs change.
    static let formatVersion = 1

    let diffID: Digest
    let compression: LayerCompression

    /// The file name stem of the entry: sha256 of the key's canonical text.
    var name: String { hexString(MessageDigest.sha256(of: Array(canonicalText.utf8))) }

    var canonicalText: String {
        "ko-layer-cache \(LayerCacheKey.formatVersion)\n"
            + "diff-id \(diffID)\n"
            + "compression \(LayerCacheKey.identity(of: compression))\n"
    }

    var description: String { "\(diffID) (\(LayerCacheKey.identity(of: compression)))" }

    /// The settings and library version that decide a compressor's output.
    /// The parallel compressor's thread count is left out: its output does
    /// not depend on it (see `ParallelGzipWriter`).
    static func identity(of compression: LayerCompression) -> String {
        switch compression {
        case let .gzip(level):
            return "gzip level=\(level) zlib=\(String(cString: zlibVersion()))"
        case let .parallelGzip(level, blockSize, _):
            return "parallel-gzip level=\(level) block=\(max(64 << 10, blockSize)) "
                + "libdeflate=\(LIBDEFLATE_VERSION_STRING)"
        }
    }
}
