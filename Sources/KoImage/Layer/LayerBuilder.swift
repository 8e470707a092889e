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
/// its digest is known; a builder dropped before `finish` removes it.
public final class LayerBuilder {
    /// The tar writer whose entries make up the layer.
    public let tar: TarWriter

    private let directory: String
    private let mediaType: String
    private let pipeline: Pipeline
    private var finished = false

    /// Starts a layer file in `directory` (created if missing). `progress`
    /// gets the running total of tar bytes compressed.
    public init(directory: String, mediaType: String = MediaType.ociLayerGzip,
                compression: LayerCompression = .default, progress: ((Int64) -> Void)? = nil) throws {
        try LayerBuilder.makeDirectory(directory)
        self.directory = directory
        self.mediaType = mediaType
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let pipeline = try Pipeline(temporaryPath: "\(directory)/.layer-\(getpid())-\(nonce).tmp",
                                    compression: compression, progress: progress)
        self.pipeline = pipeline
        self.tar = TarWriter { bytes in try pipeline.acceptUncompressed(bytes) }
    }

    deinit {
        if !finished { unlink(pipeline.file.path) }
    }

    /// Ends the tar stream and the compressed stream and names the file.
    public func finish() throws -> Layer {
        guard !finished else { throw LayerError.writerFinished("layer builder") }
        finished = true
        do {
            try tar.finish()
            try pipeline.finish()
        } catch {
            unlink(pipeline.file.path)
            throw error
        }
        let digest = Digest(hex: hexString(pipeline.compressedDigest.finalize()))
        let diffID = Digest(hex: hexString(pipeline.uncompressedDigest.finalize()))
        let path = "\(directory)/sha256-\(digest.hex).tar.gz"
        try OutputFile.rename(pipeline.file.path, to: path)
        return Layer(path: path,
                     descriptor: Descriptor(mediaType: mediaType, digest: digest, size: pipeline.compressedSize),
                     diffID: diffID, uncompressedSize: pipeline.uncompressedSize)
    }

    /// `mkdir -p`, giving the directories it creates `mode`.
    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw LayerError.writeFailed(path: current, reason: LayerError.errnoText())
            }
        }
    }

    /// tar bytes → sha256 + compressor → sha256 + buffered file.
    private final class Pipeline {
        let file: OutputFile
        let uncompressedDigest = MessageDigest.sha256()
        let compressedDigest = MessageDigest.sha256()
        private(set) var uncompressedSize: Int64 = 0
        private(set) var compressedSize: Int64 = 0
        private var compressor: LayerCompressor?
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        private var buffered = 0
        private let progress: ((Int64) -> Void)?

        init(temporaryPath: String, compression: LayerCompression, progress: ((Int64) -> Void)?) throws {
            file = try OutputFile(path: temporaryPath)
            self.progress = progress
            compressor = try compression.makeCompressor { [unowned self] compressed in
                try self.acceptCompressed(compressed)
            }
        }

        deinit { buffer.deallocate() }

        func acceptUncompressed(_ bytes: UnsafeRawBufferPointer) throws {
            guard let compressor else { throw LayerError.writerFinished("layer builder") }
            uncompressedDigest.update(bytes)
            uncompressedSize += Int64(bytes.count)
            try compressor.write(bytes)
            progress?(uncompressedSize)
        }

        func finish() throws {
            guard let compressor else { throw LayerError.writerFinished("layer builder") }
            try compressor.finish()
            self.compressor = nil
            try flush()
            try file.close()
        }

        private func acceptCompressed(_ bytes: UnsafeRawBufferPointer) throws {
            compressedDigest.update(bytes)
            compressedSize += Int64(bytes.count)
            if buffered + bytes.count > buffer.count { try flush() }
            if bytes.count >= buffer.count {
                try file.write(bytes)
                return
            }
            let free = UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<(buffered + bytes.count)])
            free.copyMemory(from: bytes)
            buffered += bytes.count
        }

        private func flush() throws {
            guard buffered > 0 else { return }
            try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]))
            buffered = 0
        }
    }
}
