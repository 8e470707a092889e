import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a tar archive through a compressor into a file, hashing both the
/// uncompressed stream (diffID) and the compressed stream (digest) on the way.
///
/// Add entries to `tar`, then call `finish` to get the `Layer`. The file is
/// written under a temporary name and renamed to `sha256-<hex>.tar.gz` when
/// its digest is known.
public final class LayerBuilder {
    /// The tar writer whose entries make up the layer.
    public private(set) var tar: TarWriter!

    private let directory: String
    private let mediaType: String
    private let temporaryPath: String
    private let file: OutputFile
    private let uncompressedDigest = MessageDigest.sha256()
    private let compressedDigest = MessageDigest.sha256()
    private var compressor: LayerCompressor!
    private var uncompressedSize: Int64 = 0
    private var compressedSize: Int64 = 0
    private var pending: UnsafeMutableRawBufferPointer
    private var pendingCount = 0
    private var finished = false

    /// Starts a layer file in `directory` (created if missing).
    public init(directory: String, mediaType: String = MediaType.ociLayerGzip,
                compression: LayerCompression = .default) throws {
        try LayerBuilder.makeDirectory(directory)
        self.directory = directory
        self.mediaType = mediaType
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        self.temporaryPath = "\(directory)/.layer-\(getpid())-\(nonce).tmp"
        self.file = try OutputFile(path: temporaryPath)
        self.pending = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

        compressor = try compression.makeCompressor { [unowned self] compressed in
            try self.acceptCompressed(compressed)
        }
        tar = TarWriter { [unowned self] bytes in
            self.uncompressedDigest.update(bytes)
            self.uncompressedSize += Int64(bytes.count)
            try self.compressor.write(bytes)
        }
    }

    deinit {
        pending.deallocate()
        if !finished { unlink(temporaryPath) }
    }

    /// Ends the tar stream and the compressed stream and names the file.
    public func finish() throws -> Layer {
        guard !finished else { throw LayerError.writerFinished("layer builder") }
        finished = true
        do {
            try tar.finish()
            try compressor.finish()
            try flushPending()
            try file.close()
        } catch {
            unlink(temporaryPath)
            throw error
        }
        let digest = Digest(hex: hexString(compressedDigest.finalize()))
        let diffID = Digest(hex: hexString(uncompressedDigest.finalize()))
        let path = "\(directory)/sha256-\(digest.hex).tar.gz"
        try OutputFile.rename(temporaryPath, to: path)
        return Layer(path: path,
                     descriptor: Descriptor(mediaType: mediaType, digest: digest, size: compressedSize),
                     diffID: diffID, uncompressedSize: uncompressedSize)
    }

    // MARK: - Private

    private func acceptCompressed(_ bytes: UnsafeRawBufferPointer) throws {
        compressedDigest.update(bytes)
        compressedSize += Int64(bytes.count)
        if pendingCount + bytes.count > pending.count {
            try flushPending()
        }
        if bytes.count >= pending.count {
            try file.write(bytes)
            return
        }
        UnsafeMutableRawBufferPointer(rebasing: pending[pendingCount..<(pendingCount + bytes.count)])
            .copyMemory(from: bytes)
        pendingCount += bytes.count
    }

    private func flushPending() throws {
        guard pendingCount > 0 else { return }
        try file.write(UnsafeRawBufferPointer(rebasing: pending[0..<pendingCount]))
        pendingCount = 0
    }

    /// `mkdir -p`.
    static func makeDirectory(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw LayerError.writeFailed(path: current, reason: LayerError.errnoText())
            }
        }
    }
}
