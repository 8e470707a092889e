#if canImport(Glibc)
import Glibc
#endif

/// A connection to the session bus over its Unix socket, authenticated with
/// SASL EXTERNAL (D-Bus specification, "Authentication Protocol"), that
/// sends calls in batches and waits for their replies, each wait bounded by
/// a deadline.
final class DBusConnection {
    private let socket: Int32
    private let deadline: Double
    private var nextSerial: UInt32 = 1
    private var pending: [UInt8] = []

    /// Connects to the session bus named by `DBUS_SESSION_BUS_ADDRESS` (or
    /// `$XDG_RUNTIME_DIR/bus`), authenticates and says Hello; nil on any failure.
    init?(seconds: Double) {
        deadline = DBusConnection.now() + seconds
        guard let socket = DBusConnection.connectToSessionBus() else { return nil }
        self.socket = socket
        // The uid, as ASCII digits in hex, is the EXTERNAL mechanism's identity.
        let uid = Array(String(getuid()).utf8).map { String($0, radix: 16) }.joined()
        guard send(Array("\0AUTH EXTERNAL \(uid)\r\n".utf8)),
              let line = readLine(), line.hasPrefix("OK ") else { return nil }
        guard send(Array("BEGIN\r\n".utf8)) else { return nil }
    }

    deinit { close(socket) }

    /// A serial number for the next call.
    func serial() -> UInt32 {
        defer { nextSerial += 1 }
        return nextSerial
    }

    /// Sends `messages` in one write and returns the reply to each serial
    /// in `awaited`, by serial; nil when the bus closes or time runs out.
    func exchange(_ messages: [UInt8], awaiting awaited: Set<UInt32>) -> [UInt32: DBusMessage]? {
        guard send(messages) else { return nil }
        var replies: [UInt32: DBusMessage] = [:]
        while replies.count < awaited.count {
            guard let message = readMessage() else { return nil }
            if let serial = message.replySerial, awaited.contains(serial),
               message.kind == .methodReturn || message.kind == .error {
                replies[serial] = message
            }
        }
        return replies
    }

    // MARK: - Socket

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The first `unix:path=` or `unix:abstract=` address that accepts us.
    private static func connectToSessionBus() -> Int32? {
        var addresses: [String] = []
        if let text = getenv("DBUS_SESSION_BUS_ADDRESS").map({ String(cString: $0) }), !text.isEmpty {
            addresses = text.split(separator: ";").map(String.init)
        } else if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty {
            addresses = ["unix:path=\(runtime)/bus"]
        }
        for address in addresses where address.hasPrefix("unix:") {
            var keys: [String: String] = [:]
            for pair in address.dropFirst(5).split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { keys[String(parts[0])] = unescape(parts[1]) }
            }
            if let path = keys["path"], let socket = connect(to: Array(path.utf8), abstract: false) { return socket }
            if let name = keys["abstract"], let socket = connect(to: Array(name.utf8), abstract: true) {
                return socket
            }
        }
        return nil
    }

    /// D-Bus addresses escape bytes as `%XX`.
    private static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
               let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = end
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func connect(to path: [UInt8], abstract: Bool) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let offset = abstract ? 1 : 0
        guard path.count + offset < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index + offset] = byte }
        }
        let length = MemoryLayout<sa_family_t>.size + path.count + offset + (abstract ? 0 : 1)
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(length)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Reads more bytes into `pending`; false at end of stream or deadline.
    private func fill() -> Bool {
        while true {
            let remaining = deadline - DBusConnection.now()
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            pending += buffer[0..<count]
            return true
        }
    }

    private func readLine() -> String? {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                defer { pending.removeSubrange(...end) }
                return String(decoding: pending[..<end], as: UTF8.self)
            }
            guard pending.count < 4096, fill() else { return nil }
        }
    }

    private func readMessage() -> DBusMessage? {
        while pending.count < 16 { guard fill() else { return nil } }
        guard let length = DBusMessage.length(ofHeader: Array(pending[0..<16])) else { return nil }
        while pending.count < length { guard fill() else { return nil } }
        defer { pending.removeSubrange(0..<length) }
        return DBusMessage(Array(pending[0..<length]))
    }
}
