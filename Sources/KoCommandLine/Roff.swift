/// Escaping for man(7) source, so declaration text can never be read as a
/// roff request or escape.
enum Roff {
    /// `text` as roff input: backslashes printed literally, hyphen-minus kept
    /// a minus (so flags copied from the page work), and never a request at
    /// the start of a line.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\e"
            case "-": escaped += "\\-"
            default: escaped.append(character)
            }
        }
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        return escaped
    }

    /// Input lines are kept to this many bytes (mandoc's style check).
    static let lineLimit = 78

    /// Filled text as input lines: each sentence starts a line, and lines
    /// are broken at spaces before `lineLimit` bytes. Whitespace runs
    /// become one space, since a line starting with a space breaks the fill.
    static func paragraph(_ text: String) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        var lines: [String] = []
        var current = ""
        var endsSentence = false
        for word in words {
            let escaped = escape(String(word))
            let startsSentence = endsSentence && word.first?.isUppercase == true
            if !current.isEmpty, startsSentence || current.utf8.count + 1 + escaped.utf8.count > lineLimit {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? escaped : " " + escaped
            endsSentence = word.hasSuffix(".")
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    static func bold(_ text: String) -> String { "\\fB\(escape(text))\\fR" }

    static func italic(_ text: String) -> String { "\\fI\(escape(text))\\fR" }

    /// A macro argument in double quotes (a quote inside is doubled).
    static func quoted(_ text: String) -> String {
        "\"" + escape(text).map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
    }
}
