/// Refuses YAML whose flow collections (`[…]`, `{…}`) nest deeper than any
/// config or manifest needs, before libyaml sees it: libyaml's time grows
/// with the square of that depth, so a 200 KB file of brackets would take
/// half a minute to be refused otherwise.
enum YAMLNestingGuard {
    static let maximumDepth = 64

    /// A rough scan that skips quoted strings and comments; good enough to
    /// bound the depth, and never stricter than the real grammar for files
    /// that nest less than `maximumDepth`.
    static func check(_ bytes: [UInt8], file: String) throws {
        var depth = 0
        var line = 1
        var index = 0
        var atLineStartOrSpace = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "#") where atLineStartOrSpace:
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                index = skipQuoted(bytes, from: index, line: &line)
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth {
                    throw BuildError.invalidConfig(file: file, line: line,
                                                   reason: "collections nest more than \(maximumDepth) deep")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
            atLineStartOrSpace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            index += 1
        }
    }

    /// The index of the closing quote of the string opening at `start`.
    private static func skipQuoted(_ bytes: [UInt8], from start: Int, line: inout Int) -> Int {
        let quote = bytes[start]
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == quote {
                // '' is an escaped quote inside a single-quoted string.
                if quote == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == quote {
                    index += 2
                    continue
                }
                return index
            }
            index += 1
        }
        return index
    }
}
