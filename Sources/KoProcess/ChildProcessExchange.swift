#if canImport(Glibc)
import Glibc
#endif

/// Feeds a child its input and drains its stdout and stderr at the same
/// time, so that neither side blocks on a full buffer.
struct ChildProcessExchange {
    private let input: [UInt8]
    private var inputSocket: Int32
    private let output: Int32
    private let error: Int32
    private let outputLimit: Int?
    private var inputOffset = 0

    private(set) var outputBytes: [UInt8] = []
    private(set) var errorBytes: [UInt8] = []

    /// Takes over `inputSocket` (it is closed once the input is sent);
    /// `output` and `error` stay the caller's to close.
    init(input: [UInt8], inputSocket: Int32, output: Int32, error: Int32, outputLimit: Int?) {
        self.input = input
        self.inputSocket = inputSocket
        self.output = output
        self.error = error
        self.outputLimit = outputLimit
    }

    /// Runs until the child closes both outputs; false when `timeout`
    /// seconds passed first.
    mutating func run(timeout: Double?) -> Bool {
        let deadline = timeout.map { Self.monotonicSeconds() + $0 }
        var open: [Int32] = [output, error]
        if input.isEmpty { closeInput() }
        defer { closeInput() }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !open.isEmpty {
            var waitMilliseconds: Int32 = -1
            if let deadline {
                let remaining = deadline - Self.monotonicSeconds()
                guard remaining > 0 else { return false }
                waitMilliseconds = Int32(min(remaining * 1000 + 1, 60_000))
            }
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inputSocket >= 0 {
                descriptors.append(pollfd(fd: inputSocket, events: Int16(POLLOUT), revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), waitMilliseconds)
            if ready < 0 && errno != EINTR { return false }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == inputSocket {
                    sendInput()
                } else if !read(entry.fd, into: &chunk) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return true
    }

    private mutating func sendInput() {
        let sent = input[inputOffset...].withUnsafeBytes {
            send(inputSocket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        if sent > 0 { inputOffset += sent }
        if sent < 0 && errno != EINTR && errno != EAGAIN || inputOffset >= input.count { closeInput() }
    }

    /// Reads what is ready on `descriptor`; false at its end.
    private mutating func read(_ descriptor: Int32, into chunk: inout [UInt8]) -> Bool {
        let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return count < 0 && (errno == EINTR || errno == EAGAIN) }
        if descriptor == output {
            keep(chunk[0..<count], in: &outputBytes)
        } else {
            keep(chunk[0..<count], in: &errorBytes)
        }
        return true
    }

    private func keep(_ bytes: ArraySlice<UInt8>, in collected: inout [UInt8]) {
        guard let outputLimit else {
            collected += bytes
            return
        }
        collected += bytes.prefix(max(0, outputLimit - collected.count))
    }

    private mutating func closeInput() {
        guard inputSocket >= 0 else { return }
        close(inputSocket)
        inputSocket = -1
    }

    /// Seconds on the monotonic clock, for deadlines unaffected by clock changes.
    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
