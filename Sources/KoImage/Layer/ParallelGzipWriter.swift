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
///
/// The caller's thread keeps filling blocks (and hashing, in `LayerBuilder`)
/// while earlier blocks compress: blocks go round a ring of `2 × threads`
/// slots, each compressed on Dispatch's pool as soon as it is full, and
/// handed to the sink in input order when its slot comes round again.
/// Memory is the ring, whatever the size of the layer.
public final class ParallelGzipWriter: LayerCompressor {
    private let sink: TarWriter.Sink
    private let blockSize: Int
    private let slots: [Slot]
    private var current = 0
    private var anyMemberWritten = false
    private var finished = false

    /// A compressor at libdeflate `level` (0...12) using `threads` threads on
    /// blocks of `blockSize` uncompressed bytes.
    public init(level: Int32 = 1, blockSize: Int = 1 << 20, threads: Int = 2,
                sink: @escaping TarWriter.Sink) throws {
        self.sink = sink
        self.blockSize = max(64 << 10, blockSize)
        let bound = libdeflate_gzip_compress_bound(nil, self.blockSize)
        var slots: [Slot] = []
        for _ in 0..<(2 * min(max(1, threads), 64)) {
            guard let slot = Slot(level: level, blockSize: self.blockSize, outputSize: bound) else {
                throw LayerError.compression(operation: "libdeflate_alloc_compressor", code: level,
                                             message: "level must be 0...12 and memory available")
            }
            slots.append(slot)
        }
        self.slots = slots
    }

    deinit {
        // A writer dropped mid-stream still waits for its blocks in flight.
        for slot in slots where slot.inFlight { slot.done.wait() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw LayerError.writerFinished("parallel gzip writer") }
        var offset = 0
        while offset < bytes.count {
            let slot = slots[current]
            let count = min(bytes.count - offset, blockSize - slot.filled)
            UnsafeMutableRawBufferPointer(rebasing: slot.input[slot.filled..<(slot.filled + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
            slot.filled += count
            offset += count
            if slot.filled == blockSize { try submitCurrent() }
        }
    }

    public func finish() throws {
        guard !finished else { throw LayerError.writerFinished("parallel gzip writer") }
        finished = true
        // An empty stream still needs one (empty) member to be valid gzip.
        if slots[current].filled > 0 || !anyMemberWritten && !slots.contains(where: \.inFlight) {
            try submitCurrent()
        }
        for _ in 0..<slots.count {
            try emit(slots[current])
            current = (current + 1) % slots.count
        }
    }

    /// Starts compressing the current slot and moves to the next one, first
    /// handing that one's finished block to the sink.
    private func submitCurrent() throws {
        let slot = slots[current]
        slot.inFlight = true
        DispatchQueue.global().async { slot.compress() }
        current = (current + 1) % slots.count
        try emit(slots[current])
    }

    /// Waits for `slot`'s block, if it has one, and passes it on.
    private func emit(_ slot: Slot) throws {
        guard slot.inFlight else { return }
        slot.done.wait()
        slot.inFlight = false
        slot.filled = 0
        guard slot.compressedSize > 0 else {
            throw LayerError.compression(operation: "libdeflate_gzip_compress", code: 0,
                                         message: "output did not fit the compress bound")
        }
        try sink(UnsafeRawBufferPointer(rebasing: slot.output[0..<slot.compressedSize]))
        anyMemberWritten = true
    }

    /// One block's buffers and compressor. Between `inFlight = true` and the
    /// `done` signal only the compressing thread touches it.
    private final class Slot: @unchecked Sendable {
        let compressor: OpaquePointer
        let input: UnsafeMutableRawBufferPointer
        let output: UnsafeMutableRawBufferPointer
        let done = DispatchSemaphore(value: 0)
        var filled = 0
        var compressedSize = 0
        var inFlight = false

        init?(level: Int32, blockSize: Int, outputSize: Int) {
            guard let compressor = libdeflate_alloc_compressor(level) else { return nil }
            self.compressor = compressor
            input = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
            output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize, alignment: 64)
        }

        deinit {
            libdeflate_free_compressor(compressor)
            input.deallocate()
            output.deallocate()
        }

        func compress() {
            compressedSize = libdeflate_gzip_compress(compressor, UnsafeRawPointer(input.baseAddress), filled,
                                                      output.baseAddress, output.count)
            done.signal()
        }
    }
}
