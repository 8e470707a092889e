import CCurl
import Foundation

/// The state one exchange shares with curl's C callbacks: the request body
/// being read, the response headers being collected and where the response body
/// goes.
///
/// curl calls back with an opaque pointer to this object; the object outlives
/// `curl_easy_perform` because the caller holds it for the whole exchange.
final class CurlTransfer {
    /// What to do with the body of a 2xx response.
    enum BodyTarget {
        /// Collect it, failing past `limit` bytes.
        case collect(limit: Int)
        /// Hand it to the sink chunk by chunk; `head` sees the status and
        /// headers once, before the first chunk.
        case stream(head: ((Int, [String: [String]]) throws -> Void)?, sink: (UnsafeRawBufferPointer) throws -> Void)
    }

    /// Non-2xx bodies of streamed requests are error documents; this much is kept.
    static let errorBodyLimit = 1 << 20

    // Response.
    private(set) var status = 0
    private(set) var headers: [String: [String]] = [:]
    private(set) var body: [UInt8] = []
    private(set) var bodyOverflowed = false
    private(set) var sinkError: Error?
    private(set) var headersOverflowed = false
    /// An error document reached its cap and the transfer was stopped there.
    private(set) var errorBodyCapped = false
    /// The peer address the request was refused for, when `forbidsSpecialAddresses`.
    private(set) var refusedAddress: (address: String, reason: String)?
    private var headerBytes = 0
    private var headDelivered = false
    private var pendingHeaderBytes: [UInt8] = []
    private let target: BodyTarget
    private let headerLimit: Int
    /// Whether the connection must be refused when its peer is a `SpecialAddress`.
    let forbidsSpecialAddresses: Bool

    // Request body.
    private let source: BodySource
    private(set) var readError: Error?
    private let progress: (@Sendable (Int64) -> Void)?

    init(body: HTTPBody, target: BodyTarget, url: String, headerLimit: Int, forbidsSpecialAddresses: Bool,
         progress: (@Sendable (Int64) -> Void)? = nil) throws {
        self.target = target
        self.headerLimit = headerLimit
        self.forbidsSpecialAddresses = forbidsSpecialAddresses
        self.source = try BodySource(body, url: url)
        self.progress = progress
    }

    /// The number of request body bytes curl will read.
    var uploadLength: UInt64 { source.length }

    // MARK: Response headers

    /// Returns false to make curl abort the transfer (headers past the limit).
    func receiveHeader(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        headerBytes += bytes.count
        guard headerBytes <= headerLimit else {
            headersOverflowed = true
            return false
        }
        pendingHeaderBytes.append(contentsOf: bytes)
        guard pendingHeaderBytes.last == UInt8(ascii: "\n") else { return true }
        let line = String(decoding: pendingHeaderBytes, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        pendingHeaderBytes.removeAll(keepingCapacity: true)
        if line.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue, or a proxy CONNECT) starts
            // a new set of headers.
            headers = [:]
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return true }
        headers[name, default: []].append(value)
        return true
    }

    /// Checks the address curl connected to; false refuses it.
    func admit(peer address: String) -> Bool {
        guard forbidsSpecialAddresses, let reason = SpecialAddress.reason(forHost: address) else { return true }
        refusedAddress = (address, reason)
        return false
    }

    // MARK: Response body

    /// Returns false to make curl abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let successful = (200..<300).contains(status)
        if (300..<400).contains(status) { return true }  // redirect bodies are dropped
        switch target {
        case let .stream(head, sink) where successful:
            do {
                if !headDelivered {
                    headDelivered = true
                    try head?(status, headers)
                }
                try sink(bytes)
                return true
            } catch {
                sinkError = error
                return false
            }
        case let .collect(limit) where successful:
            guard body.count + bytes.count <= limit else {
                bodyOverflowed = true
                return false
            }
            body.append(contentsOf: bytes)
            return true
        default:
            // An error document: keep the first part and stop there, so that
            // an endless one cannot hold the client.
            var cap = CurlTransfer.errorBodyLimit
            if case let .collect(limit) = target { cap = min(cap, limit) }
            let room = max(0, cap - body.count)
            body.append(contentsOf: bytes.prefix(room))
            if bytes.count > room {
                errorBodyCapped = true
                return false
            }
            return true
        }
    }

    // MARK: Request body

    /// Fills `buffer` with the next request bytes; nil means "abort".
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do {
            let count = try source.read(into: buffer)
            progress?(Int64(source.position))
            return count
        } catch {
            readError = error
            return nil
        }
    }

    func seek(to offset: Int64) -> Bool { source.seek(to: offset) }
}

/// A request body that curl pulls from: bytes in memory, or a window of a file
/// read with `pread` so the file is never loaded whole.
final class BodySource {
    private let bytes: [UInt8]
    private let descriptor: Int32
    private let path: String
    private let url: String
    private let offset: UInt64
    let length: UInt64
    private(set) var position: UInt64 = 0

    init(_ body: HTTPBody, url: String) throws {
        self.url = url
        switch body {
        case .none:
            bytes = []
            descriptor = -1
            path = ""
            offset = 0
            length = 0
        case let .bytes(data):
            bytes = data
            descriptor = -1
            path = ""
            offset = 0
            length = UInt64(data.count)
        case let .file(path, offset, length):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw HTTPError.transport(url: url, message: "cannot open request body \(path): "
                                          + String(cString: strerror(errno)))
            }
            bytes = []
            descriptor = fd
            self.path = path
            self.offset = offset
            self.length = length
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = length - position
        let count = Int(min(UInt64(buffer.count), remaining))
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        if descriptor < 0 {
            bytes.withUnsafeBytes { source in
                let start = source.baseAddress.map { $0 + Int(position) }
                if let start { base.copyMemory(from: start, byteCount: count) }
            }
            position += UInt64(count)
            return count
        }
        var got = -1
        repeat {
            got = pread(descriptor, base, count, off_t(offset + position))
        } while got < 0 && errno == EINTR
        guard got > 0 else {
            let reason = got == 0 ? "file ended early (it changed while uploading?)"
                                  : String(cString: strerror(errno))
            throw HTTPError.transport(url: url, message: "cannot read request body \(path): \(reason)")
        }
        position += UInt64(got)
        return got
    }

    func seek(to newPosition: Int64) -> Bool {
        guard newPosition >= 0, UInt64(newPosition) <= length else { return false }
        position = UInt64(newPosition)
        return true
    }
}

// MARK: C callbacks

/// `CURLOPT_HEADERFUNCTION`: one header line per call.
let curlHeaderCallback: ko_curl_data_callback = { data, size, count, context in
    let total = size * count
    guard let data, let context else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let accepted = data.withMemoryRebound(to: UInt8.self, capacity: total) {
        transfer.receiveHeader(UnsafeBufferPointer(start: $0, count: total))
    }
    return accepted ? total : 0
}

/// `CURLOPT_PREREQFUNCTION`: the connection is up; refuse forbidden peers.
let curlPrereqCallback: ko_curl_prereq_callback = { context, primaryIP, _, _, _ in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let address = primaryIP.map { String(cString: $0) } ?? ""
    return transfer.admit(peer: address) ? 0 : 1  // CURL_PREREQFUNC_OK / _ABORT
}

/// `CURLOPT_WRITEFUNCTION`: a chunk of the response body; returning less than
/// the chunk size aborts the transfer with `CURLE_WRITE_ERROR`.
let curlWriteCallback: ko_curl_data_callback = { data, size, count, context in
    let total = size * count
    guard let data, let context else { return total }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let accepted = transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: total))
    return accepted ? total : 0
}

/// `CURLOPT_READFUNCTION`: fills curl's buffer with request body bytes.
let curlReadCallback: ko_curl_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let buffer = UnsafeMutableRawBufferPointer(start: data, count: size * count)
    return transfer.read(into: buffer) ?? Int(CURL_READFUNC_ABORT)
}

/// `CURLOPT_SEEKFUNCTION`: lets curl rewind the body when it resends a request
/// on a fresh connection.
let curlSeekCallback: ko_curl_seek_callback = { context, offset, origin in
    guard let context, origin == SEEK_SET else { return 2 }  // CURL_SEEKFUNC_CANTSEEK
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.seek(to: Int64(offset)) ? 0 : 1  // CURL_SEEKFUNC_OK / _FAIL
}
