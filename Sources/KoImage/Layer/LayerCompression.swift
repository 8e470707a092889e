#if canImport(Glibc)
import Glibc
#endif
/// A streaming compressor for layer tarballs.
///
/// Implementations take uncompressed bytes with `write`, pass compressed
/// bytes to the sink they were made with, and end the stream with `finish`.
/// The gzip one is zlib; a faster one (libdeflate over parallel blocks) can
/// be added behind the same protocol without touching the layer code.
public protocol LayerCompressor: AnyObject {
    /// Compresses `bytes`, handing any output to the sink.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes the rest of the stream and its trailer to the sink.
    func finish() throws
}

/// Which compressor a layer is written with.
public enum LayerCompression: Sendable, Hashable {
    /// gzip through zlib at `level` (1 is what ko uses: Go's gzip.BestSpeed).
    case gzip(level: Int32)
    /// gzip through libdeflate on `threads` threads, one gzip member per
    /// `blockSize` bytes of tar (see `ParallelGzipWriter`).
    case parallelGzip(level: Int32, blockSize: Int, threads: Int)

    /// ko's default: gzip level 1.
    public static let `default` = LayerCompression.gzip(level: 1)

    /// What `ko build` uses: gzip in independent 1 MiB members compressed
    /// with libdeflate on every core. Any gzip reader takes it, and the block
    /// size, not the thread count, fixes the bytes, so digests do not depend
    /// on the machine.
    public static var parallelDefault: LayerCompression {
        .parallelGzip(level: 1, blockSize: 1 << 20, threads: max(1, numberOfCores()))
    }

    /// A compressor of this kind writing to `sink`.
    public func makeCompressor(sink: @escaping TarWriter.Sink) throws -> LayerCompressor {
        switch self {
        case let .gzip(level):
            return try GzipWriter(level: level, sink: sink)
        case let .parallelGzip(level, blockSize, threads):
            return try ParallelGzipWriter(level: level, blockSize: blockSize, threads: threads, sink: sink)
        }
    }
}

/// Online processors, without Foundation.
private func numberOfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
