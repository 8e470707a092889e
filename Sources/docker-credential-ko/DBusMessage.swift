/// D-Bus messages in the little-endian wire format (D-Bus specification,
/// "Message Protocol"): just what a Secret Service lookup sends and reads.
struct DBusMessage {
    enum Kind: UInt8 {
        case methodCall = 1, methodReturn = 2, error = 3, signal = 4
    }

    var kind: Kind
    var serial: UInt32
    var replySerial: UInt32?
    var errorName: String?
    var signature: String
    var body: [UInt8]

    /// A method call on `destination`'s object `path`.
    static func call(serial: UInt32, destination: String, path: String, interface: String, member: String,
                     signature: String = "", body: DBusWriter = DBusWriter()) -> [UInt8] {
        // Alignment counts from the start of the message, so the header
        // fields are written in the same buffer as the fixed part.
        var message = DBusWriter()
        message.bytes = [UInt8(ascii: "l"), Kind.methodCall.rawValue, 0, 1]
        message.uint32(UInt32(body.bytes.count))
        message.uint32(serial)
        message.array(elementAlignment: 8) { fields in
            fields.headerField(1, signature: "o", path)
            fields.headerField(2, signature: "s", interface)
            fields.headerField(3, signature: "s", member)
            fields.headerField(6, signature: "s", destination)
            if !signature.isEmpty { fields.headerField(8, signature: "g", signature) }
        }
        // The body starts on an 8-byte boundary: its own alignment is the message's.
        message.pad(to: 8)
        return message.bytes + body.bytes
    }

    /// The total length of the message whose first 16 bytes are `head`, or
    /// nil when they are not a little-endian D-Bus header.
    static func length(ofHeader head: [UInt8]) -> Int? {
        guard head.count >= 16, head[0] == UInt8(ascii: "l"), head[3] == 1 else { return nil }
        let bodyLength = Int(DBusReader.uint32(head, at: 4))
        let fieldsLength = Int(DBusReader.uint32(head, at: 12))
        let headerLength = (16 + fieldsLength + 7) & ~7
        guard bodyLength < 1 << 26, fieldsLength < 1 << 20 else { return nil }
        return headerLength + bodyLength
    }

    /// Parses one whole message.
    init?(_ bytes: [UInt8]) {
        guard let total = DBusMessage.length(ofHeader: bytes), bytes.count == total,
              let kind = Kind(rawValue: bytes[1]) else { return nil }
        self.kind = kind
        serial = DBusReader.uint32(bytes, at: 8)
        var reader = DBusReader(bytes, offset: 12)
        guard case let .array(fields)? = reader.value("a(yv)") else { return nil }
        signature = ""
        for case let .structure(parts) in fields {
            guard parts.count == 2, case let .byte(code) = parts[0], case let .variant(value) = parts[1] else {
                continue
            }
            switch (code, value) {
            case let (4, .string(name)): errorName = name
            case let (5, .uint(serial)): replySerial = UInt32(truncatingIfNeeded: serial)
            case let (8, .string(text)): signature = text
            default: break
            }
        }
        let bodyStart = (reader.offset + 7) & ~7
        guard bodyStart <= bytes.count else { return nil }
        body = Array(bytes[bodyStart...])
    }

    /// The body's values, by its signature.
    var values: [DBusValue]? {
        var reader = DBusReader(body, offset: 0)
        var values: [DBusValue] = []
        var types = Substring(signature)
        while !types.isEmpty {
            guard let type = DBusReader.nextType(&types), let value = reader.value(type) else { return nil }
            values.append(value)
        }
        return values
    }
}

/// A decoded D-Bus value.
indirect enum DBusValue {
    case byte(UInt8)
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// Strings, object paths and signatures.
    case string(String)
    /// `ay`, kept as bytes.
    case bytes([UInt8])
    case array([DBusValue])
    case dictionary([(DBusValue, DBusValue)])
    case structure([DBusValue])
    case variant(DBusValue)

    var string: String? {
        if case let .string(text) = self { return text }
        return nil
    }
}

/// Appends values, aligned as the wire format wants them.
struct DBusWriter {
    var bytes: [UInt8] = []

    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        pad(to: 4)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// A string or object path.
    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        uint32(UInt32(utf8.count))
        bytes += utf8
        bytes.append(0)
    }

    mutating func signature(_ text: String) {
        bytes.append(UInt8(text.utf8.count))
        bytes += Array(text.utf8)
        bytes.append(0)
    }

    /// An array whose elements `body` appends; its length excludes the
    /// padding before the first element.
    mutating func array(elementAlignment: Int, _ body: (inout DBusWriter) -> Void) {
        uint32(0)
        let lengthAt = bytes.count - 4
        pad(to: elementAlignment)
        let start = bytes.count
        body(&self)
        let length = UInt32(bytes.count - start)
        for index in 0..<4 { bytes[lengthAt + index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
    }

    /// A header field: a `(yv)` struct whose variant holds a string-like value.
    mutating func headerField(_ code: UInt8, signature type: String, _ value: String) {
        pad(to: 8)
        byte(code)
        signature(type)
        if type == "g" { signature(value) } else { string(value) }
    }

    /// `a{ss}`.
    mutating func stringDictionary(_ entries: [(String, String)]) {
        array(elementAlignment: 8) { writer in
            for (key, value) in entries {
                writer.pad(to: 8)
                writer.string(key)
                writer.string(value)
            }
        }
    }

    /// `ao` or `as`.
    mutating func stringArray(_ values: [String]) {
        array(elementAlignment: 4) { writer in
            for value in values { writer.string(value) }
        }
    }
}

/// Reads values of any signature from a message or body.
struct DBusReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        guard offset + 4 <= bytes.count else { return 0 }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    /// Takes one complete type off the front of `types`.
    static func nextType(_ types: inout Substring) -> Substring? {
        guard let first = types.first else { return nil }
        var end = types.index(after: types.startIndex)
        switch first {
        case "a":
            var rest = types[end...]
            guard let element = nextType(&rest) else { return nil }
            end = element.endIndex
        case "(", "{":
            let close: Character = first == "(" ? ")" : "}"
            var rest = types[end...]
            while rest.first != close {
                guard nextType(&rest) != nil else { return nil }
            }
            end = rest.index(after: rest.startIndex)
        default:
            break
        }
        defer { types = types[end...] }
        return types[types.startIndex..<end]
    }

    private mutating func align(_ alignment: Int) -> Bool {
        offset = (offset + alignment - 1) / alignment * alignment
        return offset <= bytes.count
    }

    private mutating func fixed(_ size: Int) -> UInt64? {
        guard align(size), offset + size <= bytes.count else { return nil }
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += size
        return value
    }

    private static func alignment(of type: Substring) -> Int {
        switch type.first {
        case "y", "g", "v": return 1
        case "n", "q": return 2
        case "x", "t", "d", "(", "{": return 8
        default: return 4
        }
    }

    /// The value of one complete type at the current offset.
    mutating func value(_ type: Substring) -> DBusValue? {
        guard let code = type.first else { return nil }
        switch code {
        case "y": return fixed(1).map { .byte(UInt8($0)) }
        case "b": return fixed(4).map { .bool($0 != 0) }
        case "n": return fixed(2).map { .int(Int64(Int16(truncatingIfNeeded: $0))) }
        case "q": return fixed(2).map { .uint($0) }
        case "i": return fixed(4).map { .int(Int64(Int32(truncatingIfNeeded: $0))) }
        case "u", "h": return fixed(4).map { .uint($0) }
        case "x": return fixed(8).map { .int(Int64(bitPattern: $0)) }
        case "t": return fixed(8).map { .uint($0) }
        case "d": return fixed(8).map { .double(Double(bitPattern: $0)) }
        case "s", "o":
            guard let length = fixed(4).map(Int.init), offset + length < bytes.count else { return nil }
            defer { offset += length + 1 }
            return .string(String(decoding: bytes[offset..<(offset + length)], as: UTF8.self))
        case "g":
            guard let length = fixed(1).map(Int.init), offset + length < bytes.count else { return nil }
            defer { offset += length + 1 }
            return .string(String(decoding: bytes[offset..<(offset + length)], as: UTF8.self))
        case "v":
            guard case let .string(inner)? = value("g") else { return nil }
            var types = Substring(inner)
            guard let single = DBusReader.nextType(&types), types.isEmpty, let held = value(single) else {
                return nil
            }
            return .variant(held)
        case "a":
            return array(element: type.dropFirst())
        case "(", "{":
            guard align(8) else { return nil }
            var members = type.dropFirst().dropLast()
            var values: [DBusValue] = []
            while !members.isEmpty {
                guard let member = DBusReader.nextType(&members), let value = value(member) else { return nil }
                values.append(value)
            }
            return .structure(values)
        default:
            return nil
        }
    }

    private mutating func array(element: Substring) -> DBusValue? {
        guard let length = fixed(4).map(Int.init), align(DBusReader.alignment(of: element)) else { return nil }
        let end = offset + length
        guard end <= bytes.count else { return nil }
        if element == "y" {
            defer { offset = end }
            return .bytes(Array(bytes[offset..<end]))
        }
        var values: [DBusValue] = []
        var entries: [(DBusValue, DBusValue)] = []
        while offset < end {
            guard let value = value(element) else { return nil }
            if element.first == "{", case let .structure(pair) = value, pair.count == 2 {
                entries.append((pair[0], pair[1]))
            } else {
                values.append(value)
            }
        }
        return element.first == "{" ? .dictionary(entries) : .array(values)
    }
}
