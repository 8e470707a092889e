#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to a D-Bus session bus over its Unix socket, with
/// just enough of the protocol for method calls: EXTERNAL authentication,
/// `Hello`, and calls whose replies are matched by serial (D-Bus
/// specification, "Authentication Protocol" and "Message Protocol").
///
/// Every send and receive is bounded by the deadline given at connection.
final class DBusConnection {
    /// Why a call did not return a reply.
    enum Failure: Error, Equatable {
        /// No usable `unix:path=` or `unix:abstract=` address.
        case unsupportedAddress(String)
        /// The socket could not be opened or used.
        case transport(String)
        /// The bus or a service sent what this client cannot read.
        case protocolViolation(String)
        /// The deadline passed.
        case timedOut
        /// The service answered with a D-Bus error.
        case remote(name: String, message: String)
    }

    private let socket: Int32
    private let deadline: Double
    private var serial: UInt32 = 0
    private var received: [UInt8] = []
    private var receivedStart = 0

    /// Connects to `address` (`DBUS_SESSION_BUS_ADDRESS` syntax), authenticates
    /// as our uid and says `Hello`, all within `timeout` seconds.
    init(address: String, timeout: Double) throws {
        deadline = DBusConnection.now() + timeout
        socket = try DBusConnection.connect(try DBusConnection.socketAddress(address))
        do {
            try authenticate()
            _ = try call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                         interface: "org.freedesktop.DBus", member: "Hello")
        } catch {
            close(socket)
            throw error
        }
    }

    deinit { close(socket) }

    // MARK: Calls

    /// Calls `member` and returns the reply's values.
    func call(destination: String, path: String, interface: String, member: String,
              signature: String = "", arguments: [DBusValue] = []) throws -> [DBusValue] {
        serial &+= 1
        let expected = serial
        var body = DBusEncoder()
        for argument in arguments { body.encode(argument) }

        var fields: [DBusValue] = [
            .structure([.byte(1), .variant(signature: "o", .objectPath(path))]),
            .structure([.byte(2), .variant(signature: "s", .string(interface))]),
            .structure([.byte(3), .variant(signature: "s", .string(member))]),
            .structure([.byte(6), .variant(signature: "s", .string(destination))]),
        ]
        if !signature.isEmpty {
            fields.append(.structure([.byte(8), .variant(signature: "g", .signature(signature))]))
        }
        // Little-endian, METHOD_CALL, no flags, protocol version 1.
        var message = DBusEncoder(prefix: [UInt8(ascii: "l"), 1, 0, 1])
        message.uint32(UInt32(body.bytes.count))
        message.uint32(expected)
        message.encode(.array(element: "(yv)", fields))
        message.pad(to: 8)
        message.append(body.bytes)
        try send(message.bytes)

        while true {
            let reply = try receiveMessage()
            // Signals (NameAcquired after Hello) and other traffic are skipped.
            guard reply.replySerial == expected else { continue }
            var decoder = DBusDecoder(reply.body, littleEndian: reply.littleEndian)
            let values: [DBusValue]
            do {
                values = try decoder.decodeAll(reply.signature)
            } catch {
                throw Failure.protocolViolation("unreadable reply to \(member)")
            }
            if reply.type == 3 {
                var message = ""
                if case let .string(text)? = values.first { message = text }
                throw Failure.remote(name: reply.errorName ?? "", message: message)
            }
            guard reply.type == 2 else { continue }
            return values
        }
    }

    // MARK: Messages

    private struct Message {
        var type: UInt8
        var littleEndian: Bool
        var replySerial: UInt32?
        var errorName: String?
        var signature: String
        var body: [UInt8]
    }

    /// Reads the next whole message.
    private func receiveMessage() throws -> Message {
        try fill(16)
        let start = receivedStart
        let littleEndian = received[start] == UInt8(ascii: "l")
        guard littleEndian || received[start] == UInt8(ascii: "B") else {
            throw Failure.protocolViolation("bad byte order mark")
        }
        var fixed = DBusDecoder(Array(received[start..<start + 16]), offset: 4, littleEndian: littleEndian)
        let bodyLength = Int(try fixed.uint32())
        _ = try fixed.uint32()
        let fieldsLength = Int(try fixed.uint32())
        // The specification caps a message at 128 MiB; ours are tiny.
        guard bodyLength < 1 << 24, fieldsLength < 1 << 16 else {
            throw Failure.protocolViolation("message too large")
        }
        let headerLength = (16 + fieldsLength + 7) / 8 * 8
        try fill(headerLength + bodyLength)
        let bytes = Array(received[start..<start + headerLength + bodyLength])
        receivedStart += bytes.count
        if receivedStart == received.count {
            received.removeAll(keepingCapacity: true)
            receivedStart = 0
        }

        var message = Message(type: bytes[1], littleEndian: littleEndian, signature: "",
                              body: Array(bytes[headerLength...]))
        var decoder = DBusDecoder(bytes, offset: 12, littleEndian: littleEndian)
        var signature = Substring("a(yv)")
        guard case let .array(_, fields) = try decoder.decode(&signature) else {
            throw Failure.protocolViolation("bad header fields")
        }
        for case let .structure(parts) in fields where parts.count == 2 {
            guard case let .byte(code) = parts[0], case let .variant(_, value) = parts[1] else { continue }
            switch (code, value) {
            case let (4, .string(name)): message.errorName = name
            case let (5, .uint32(number)): message.replySerial = number
            case let (8, .signature(text)): message.signature = text
            default: break
            }
        }
        return message
    }

    // MARK: Authentication

    /// SASL EXTERNAL with our uid, as the bus daemon expects on a Unix socket.
    private func authenticate() throws {
        let uid = Array(String(getuid()).utf8).map { hexDigits($0) }.joined()
        try send([0] + Array("AUTH EXTERNAL \(uid)\r\n".utf8))
        let reply = try readLine()
        guard reply.hasPrefix("OK ") else {
            throw Failure.protocolViolation("the bus refused EXTERNAL authentication")
        }
        try send(Array("BEGIN\r\n".utf8))
    }

    private func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private func readLine() throws -> String {
        while true {
            if let end = received[receivedStart...].firstIndex(of: 0x0A) {
                var line = Array(received[receivedStart..<end])
                receivedStart = end + 1
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard received.count - receivedStart < 4096 else {
                throw Failure.protocolViolation("authentication line too long")
            }
            try receive()
        }
    }

    // MARK: Socket

    private func fill(_ count: Int) throws {
        while received.count - receivedStart < count { try receive() }
    }

    private func receive() throws {
        try wait(for: Int16(POLLIN))
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard count > 0 else {
            throw Failure.transport(count == 0 ? "the bus closed the connection" : lastErrorText())
        }
        received += chunk[0..<count]
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT))
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard sent > 0 else { throw Failure.transport(lastErrorText()) }
            offset += sent
        }
    }

    /// Waits until the socket is ready for `events`, or the deadline.
    private func wait(for events: Int16) throws {
        while true {
            let remaining = deadline - DBusConnection.now()
            guard remaining > 0 else { throw Failure.timedOut }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000 + 1, 60_000)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw Failure.transport(lastErrorText()) }
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The socket path of the first `unix:` address (`abstract` names start
    /// with a zero byte).
    private static func socketAddress(_ address: String) throws -> [UInt8] {
        for entry in address.split(separator: ";") where entry.hasPrefix("unix:") {
            for pair in entry.dropFirst(5).split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let value = try unescape(parts[1])
                if parts[0] == "path" { return value }
                if parts[0] == "abstract" { return [0] + value }
            }
        }
        throw Failure.unsupportedAddress(address)
    }

    /// Undoes the `%xx` escapes of a D-Bus address value.
    private static func unescape(_ text: Substring) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw Failure.unsupportedAddress(String(text))
            }
            bytes.append(value)
        }
        return bytes
    }

    private static func connect(_ path: [UInt8]) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !path.isEmpty, path.count < capacity else { throw Failure.unsupportedAddress("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        // A path is zero-terminated; an abstract name is exactly its bytes.
        let length = MemoryLayout<sa_family_t>.size + path.count + (path[0] == 0 ? 0 : 1)
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.transport(lastErrorText()) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(length)) }
        }
        guard connected == 0 else {
            let reason = lastErrorText()
            close(descriptor)
            throw Failure.transport(reason)
        }
        return descriptor
    }
}
