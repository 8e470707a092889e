import CZlib

/// A streaming gzip compressor over zlib's raw deflate (RFC 1952).
///
/// The gzip framing is written here rather than by zlib so that every
/// header byte is fixed: mtime 0, no name, XFL as Go's `compress/gzip`
/// sets it (4 for level 1, 2 for level 9) and OS 255 ("unknown"), which is
/// what Go writes. The deflate data itself comes from zlib and is not
/// byte-identical to Go's `compress/flate`; uncompressed content (diffIDs)
/// is what matches ko.
public final class GzipWriter: LayerCompressor {
    private var stream = z_stream()
    private let sink: TarWriter.Sink
    private let output: UnsafeMutableRawBufferPointer
    private var crc: uLong = crc32(0, nil, 0)
    private var inputSize: UInt64 = 0
    private var headerWritten = false
    private var finished = false
    private let level: Int32

    /// A compressor at `level` (1...9) writing to `sink`.
    public init(level: Int32 = 1, outputBufferSize: Int = 256 << 10, sink: @escaping TarWriter.Sink) throws {
        self.sink = sink
        self.level = level
        self.output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputBufferSize, alignment: 16)
        // windowBits -15: raw deflate, we frame it ourselves. memLevel 8 is zlib's default.
        let code = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                 ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            output.deallocate()
            throw LayerError.compression(operation: "deflateInit2", code: code, message: Self.message(code, nil))
        }
    }

    deinit {
        deflateEnd(&stream)
        output.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw LayerError.writerFinished("gzip writer") }
        try writeHeaderIfNeeded()
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // zlib takes at most UInt32.max bytes per call; feed large buffers in slices.
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, 1 << 30)
            let slice = base.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            crc = crc32(crc, slice, uInt(count))
            stream.next_in = UnsafeMutablePointer(mutating: slice)
            stream.avail_in = uInt(count)
            try deflateLoop(flush: Z_NO_FLUSH)
            offset += count
        }
        inputSize &+= UInt64(bytes.count)
    }

    public func finish() throws {
        guard !finished else { throw LayerError.writerFinished("gzip writer") }
        try writeHeaderIfNeeded()
        stream.next_in = nil
        stream.avail_in = 0
        try deflateLoop(flush: Z_FINISH)
        finished = true
        var trailer = [UInt8]()
        trailer.reserveCapacity(8)
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: UInt32(crc) >> shift)) }
        let size32 = UInt32(truncatingIfNeeded: inputSize)
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: size32 >> shift)) }
        try trailer.withUnsafeBytes { try sink($0) }
    }

    // MARK: - Private

    private func writeHeaderIfNeeded() throws {
        guard !headerWritten else { return }
        headerWritten = true
        let extraFlags: UInt8 = level == 9 ? 2 : (level == 1 ? 4 : 0)
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 255]
        try header.withUnsafeBytes { try sink($0) }
    }

    /// Runs deflate until it has taken all input (or, with Z_FINISH, ended the stream).
    private func deflateLoop(flush: Int32) throws {
        while true {
            stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(output.count)
            let code = deflate(&stream, flush)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw LayerError.compression(operation: "deflate", code: code, message: Self.message(code, stream.msg))
            }
            let produced = output.count - Int(stream.avail_out)
            if produced > 0 {
                try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            }
            if flush == Z_FINISH {
                if code == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out != 0 {
                return
            }
        }
    }

    private static func message(_ code: Int32, _ text: UnsafeMutablePointer<CChar>?) -> String {
        if let text { return String(cString: text) }
        if let described = zError(code) { return String(cString: described) }
        return "zlib error"
    }
}
