/// The one JSON encoder for every byte that is hashed or sent.
///
/// Object keys are sorted bytewise, there is no whitespace and '/' is not
/// escaped. Strings are escaped as Go's `encoding/json` escapes them
/// (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes), so string values
/// come out exactly as ko's Go code writes them.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        write(value, to: &output)
        return output
    }

    /// The canonical bytes of an `Encodable` value (through `JSONValue`).
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        encode(try JSONValue(encoding: value))
    }

    /// Orders keys as Go orders map keys: by their UTF-8 bytes.
    static func keyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    private static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case let .bool(flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case let .number(text): output.append(contentsOf: text.utf8)
        case let .string(text): writeString(text, to: &output)
        case let .array(elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let .object(members):
            output.append(UInt8(ascii: "{"))
            for (position, key) in members.keys.sorted(by: keyPrecedes).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if let member = members[key] { write(member, to: &output) }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: "\\\"".utf8)
            case "\\": output.append(contentsOf: "\\\\".utf8)
            case "\n": output.append(contentsOf: "\\n".utf8)
            case "\r": output.append(contentsOf: "\\r".utf8)
            case "\t": output.append(contentsOf: "\\t".utf8)
            case "\u{08}": output.append(contentsOf: "\\b".utf8)
            case "\u{0C}": output.append(contentsOf: "\\f".utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                writeUnicodeEscape(scalar.value, to: &output)
            default:
                if scalar.value < 0x20 {
                    writeUnicodeEscape(scalar.value, to: &output)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeUnicodeEscape(_ value: UInt32, to output: inout [UInt8]) {
        output.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
