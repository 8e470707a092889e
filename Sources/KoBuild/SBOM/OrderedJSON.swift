/// JSON whose object keys keep the order they are written in, printed the
/// way Go's `json.Encoder` with `SetIndent("", "  ")` prints a struct: two
/// spaces per level, `"key": value`, `<`, `>` and `&` escaped, and a final
/// newline. SPDX documents use struct field order, not sorted keys.
indirect enum OrderedJSON: Equatable {
    case string(String)
    case bool(Bool)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// The document as Go's encoder writes it.
    var bytes: [UInt8] {
        var output = ""
        write(to: &output, indent: 0)
        output += "\n"
        return Array(output.utf8)
    }

    private func write(to output: inout String, indent: Int) {
        switch self {
        case let .string(text):
            Self.writeString(text, to: &output)
        case let .bool(value):
            output += value ? "true" : "false"
        case let .array(items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            output += "[\n"
            for (position, item) in items.enumerated() {
                output += String(repeating: "  ", count: indent + 1)
                item.write(to: &output, indent: indent + 1)
                output += position + 1 < items.count ? ",\n" : "\n"
            }
            output += String(repeating: "  ", count: indent) + "]"
        case let .object(members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{\n"
            for (position, member) in members.enumerated() {
                output += String(repeating: "  ", count: indent + 1)
                Self.writeString(member.0, to: &output)
                output += ": "
                member.1.write(to: &output, indent: indent + 1)
                output += position + 1 < members.count ? ",\n" : "\n"
            }
            output += String(repeating: "  ", count: indent) + "}"
        }
    }

    /// Go's string escaping with HTML escaping on (its default).
    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += unicodeEscape(scalar.value)
            case _ where scalar.value < 0x20:
                output += unicodeEscape(scalar.value)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
