/// Reads D-Bus values from a message in either byte order, driven by their
/// signature. Every length is checked against the bytes at hand.
struct DBusDecoder {
    /// Malformed input: the message is rejected as a whole.
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private(set) var offset: Int
    private let littleEndian: Bool
    private var depth = 0

    init(_ bytes: [UInt8], offset: Int = 0, littleEndian: Bool) {
        self.bytes = bytes
        self.offset = offset
        self.littleEndian = littleEndian
    }

    /// Every value of `signature` in order (a message body).
    mutating func decodeAll(_ signature: String) throws -> [DBusValue] {
        var rest = Substring(signature)
        var values: [DBusValue] = []
        while !rest.isEmpty { values.append(try decode(&rest)) }
        return values
    }

    mutating func align(_ alignment: Int) throws {
        let aligned = (offset + alignment - 1) / alignment * alignment
        guard aligned <= bytes.count else { throw Malformed() }
        offset = aligned
    }

    mutating func uint32() throws -> UInt32 {
        try align(4)
        return UInt32(truncatingIfNeeded: try integer(size: 4))
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw Malformed() }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func integer(size: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in try take(size).enumerated() {
            value |= UInt64(byte) << (littleEndian ? 8 * index : 8 * (size - 1 - index))
        }
        return value
    }

    private mutating func text(length: Int) throws -> String {
        let utf8 = try take(length)
        guard try take(1).first == 0 else { throw Malformed() }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Decodes the first complete type of `signature` and drops it from it.
    mutating func decode(_ signature: inout Substring) throws -> DBusValue {
        guard let code = signature.popFirst() else { throw Malformed() }
        depth += 1
        defer { depth -= 1 }
        guard depth < 32 else { throw Malformed() }
        switch code {
        case "y": return .byte(try take(1).first ?? 0)
        case "b": return .boolean(try uint32() != 0)
        case "u", "h": return .uint32(try uint32())
        case "i": return .int32(Int32(bitPattern: try uint32()))
        case "n", "q":
            try align(2)
            return .other(try integer(size: 2))
        case "x", "t", "d":
            try align(8)
            return .other(try integer(size: 8))
        case "s": return .string(try text(length: Int(try uint32())))
        case "o": return .objectPath(try text(length: Int(try uint32())))
        case "g": return .signature(try text(length: Int(try take(1).first ?? 0)))
        case "v":
            let inner = try text(length: Int(try take(1).first ?? 0))
            var rest = Substring(inner)
            let value = try decode(&rest)
            guard rest.isEmpty else { throw Malformed() }
            return .variant(signature: inner, value)
        case "a": return try decodeArray(&signature)
        case "(":
            try align(8)
            var values: [DBusValue] = []
            while signature.first != ")" { values.append(try decode(&signature)) }
            signature.removeFirst()
            return .structure(values)
        case "{":
            try align(8)
            let key = try decode(&signature)
            let value = try decode(&signature)
            guard signature.popFirst() == "}" else { throw Malformed() }
            return .dictEntry(key, value)
        default:
            throw Malformed()
        }
    }

    private mutating func decodeArray(_ signature: inout Substring) throws -> DBusValue {
        let length = Int(try uint32())
        let element = try DBusDecoder.firstType(of: signature)
        try align(DBusValue.alignment(of: element))
        guard length <= bytes.count - offset else { throw Malformed() }
        let end = offset + length
        signature = signature.dropFirst(element.count)
        if element == "y" { return .bytes(Array(try take(length))) }
        var values: [DBusValue] = []
        while offset < end {
            var rest = element
            values.append(try decode(&rest))
        }
        guard offset == end else { throw Malformed() }
        return .array(element: String(element), values)
    }

    /// The first complete type of `signature`.
    static func firstType(of signature: Substring) throws -> Substring {
        var index = signature.startIndex
        var open = 0
        repeat {
            guard index < signature.endIndex else { throw Malformed() }
            switch signature[index] {
            case "(", "{": open += 1
            case ")", "}": open -= 1
            default: break
            }
            index = signature.index(after: index)
            // An array prefix is always followed by its element type.
        } while open > 0 || signature[signature.index(before: index)] == "a"
        return signature[signature.startIndex..<index]
    }
}
