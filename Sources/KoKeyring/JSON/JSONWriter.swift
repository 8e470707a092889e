/// Writes `JSONValue`s as text.
///
/// `indented` matches the layout the Docker CLI gives config.json (Go's
/// `MarshalIndent` with a tab), so a file edited by both tools stays readable
/// and diffs stay small.
public enum JSONWriter {
    /// Compact text with no whitespace, for the credential-helper protocol.
    public static func compact(_ value: JSONValue) -> String {
        var output = ""
        write(value, into: &output, indent: nil, level: 0)
        return output
    }

    /// Text indented with one tab per level.
    public static func indented(_ value: JSONValue) -> String {
        var output = ""
        write(value, into: &output, indent: "\t", level: 0)
        return output
    }

    private static func write(_ value: JSONValue, into output: inout String, indent: String?, level: Int) {
        switch value {
        case .null: output += "null"
        case let .bool(flag): output += flag ? "true" : "false"
        case let .number(text): output += text
        case let .string(text): writeString(text, into: &output)
        case let .array(elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                newline(into: &output, indent: indent, level: level + 1)
                write(element, into: &output, indent: indent, level: level + 1)
            }
            newline(into: &output, indent: indent, level: level)
            output += "]"
        case let .object(object):
            guard !object.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (position, member) in object.members.enumerated() {
                if position > 0 { output += "," }
                newline(into: &output, indent: indent, level: level + 1)
                writeString(member.key, into: &output)
                output += indent == nil ? ":" : ": "
                write(member.value, into: &output, indent: indent, level: level + 1)
            }
            newline(into: &output, indent: indent, level: level)
            output += "}"
        }
    }

    private static func newline(into output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output += "\n"
        output += String(repeating: indent, count: level)
    }

    /// Escapes what JSON requires, plus U+2028/U+2029 which break JavaScript
    /// readers; everything else is written as UTF-8.
    static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let digits = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
