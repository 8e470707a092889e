import CDeflate
import Dispatch

/// A gzip compressor that splits its input into fixed-size blocks and
/// compresses them on several threads with libdeflate, each block as its
/// own gzip member (RFC 1952 section 2.2 allows a file of several members;
/// Go's, zlib's and containerd's readers all read them as one stream).
///
/// Output depends only on the input, the level and the block size, never on
/// the thread count or timing, so digests stay reproducible. Each member's
/// header is libdeflate's: mtime 0, XFL by level, OS 255.
public final class ParallelGzipWriter: LayerCompressor {
    private let sink: TarWriter.Sink
    private let blockSize: Int
    private let compressors: [OpaquePointer]
    private let input: UnsafeMutableRawBufferPointer
    private let outputs: [UnsafeMutableRawBufferPointer]
    private var inputCount = 0
    private var anyMemberWritten = false
    private var finished = false

    /// A compressor at libdeflate `level` (0...12) using `threads` threads on
    /// blocks of `blockSize` uncompressed bytes.
    public init(level: Int32 = 1, blockSize: Int = 1 << 20, threads: Int = 2,
                sink: @escaping TarWriter.Sink) throws {
        let threads = max(1, threads)
        var compressors: [OpaquePointer] = []
        for _ in 0..<threads {
            guard let compressor = libdeflate_alloc_compressor(level) else {
                compressors.forEach { libdeflate_free_compressor($0) }
                throw LayerError.compression(operation: "libdeflate_alloc_compressor", code: level,
                                             message: "level must be 0...12 and memory available")
            }
            compressors.append(compressor)
        }
        self.compressors = compressors
        self.sink = sink
        self.blockSize = max(64 << 10, blockSize)
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: self.blockSize * threads, alignment: 16)
        let bound = libdeflate_gzip_compress_bound(nil, self.blockSize)
        self.outputs = (0..<threads).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: bound, alignment: 16)
        }
    }

    deinit {
        compressors.forEach { libdeflate_free_compressor($0) }
        input.deallocate()
        outputs.forEach { $0.deallocate() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw LayerError.writerFinished("parallel gzip writer") }
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, input.count - inputCount)
            let target = UnsafeMutableRawBufferPointer(rebasing: input[inputCount..<(inputCount + count)])
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
            inputCount += count
            offset += count
            if inputCount == input.count { try compressBatch() }
        }
    }

    public func finish() throws {
        guard !finished else { throw LayerError.writerFinished("parallel gzip writer") }
        finished = true
        // An empty stream still needs one (empty) member to be valid gzip.
        if inputCount > 0 || !anyMemberWritten { try compressBatch() }
    }

    /// Compresses the buffered input, one block per thread, and emits the
    /// members in input order.
    private func compressBatch() throws {
        let blocks = max(1, (inputCount + blockSize - 1) / blockSize)
        var sizes = [Int](repeating: 0, count: blocks)
        let inputBase = UnsafeRawPointer(input.baseAddress)
        let total = inputCount
        sizes.withUnsafeMutableBufferPointer { sizes in
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                let start = block * blockSize
                let length = min(blockSize, total - start)
                sizes[block] = libdeflate_gzip_compress(compressors[block], inputBase?.advanced(by: start), length,
                                                        outputs[block].baseAddress, outputs[block].count)
            }
        }
        for block in 0..<blocks {
            guard sizes[block] > 0 else {
                throw LayerError.compression(operation: "libdeflate_gzip_compress", code: 0,
                                             message: "output did not fit the compress bound")
            }
            try sink(UnsafeRawBufferPointer(rebasing: outputs[block][0..<sizes[block]]))
        }
        anyMemberWritten = true
        inputCount = 0
    }
}
