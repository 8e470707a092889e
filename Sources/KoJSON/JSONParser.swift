/// A strict RFC 8259 parser producing order-preserving `JSONValue`s.
///
/// Strict on purpose: a file we cannot read exactly is one we must not
/// rewrite. Only a leading UTF-8 byte order mark is skipped (some editors on
/// Windows write one, and some registries send one). Errors carry the line
/// and column of the offending byte.
public struct JSONParser {
    /// How much the parser accepts.
    public struct Options: Sendable {
        /// What to do with text that is not Unicode: invalid UTF-8 inside a
        /// string, or a `\u` escape of a lone UTF-16 surrogate.
        public enum InvalidUnicode: Sendable {
            /// Refuse the document: it could not be written back unchanged.
            case reject
            /// Read it as U+FFFD, as Go's decoder does.
            case replace
        }

        /// Deeper nesting than this is refused rather than risking the stack.
        public var maximumDepth: Int
        /// Larger documents are refused before parsing.
        public var maximumSize: Int
        public var invalidUnicode: InvalidUnicode

        public init(maximumDepth: Int = 512, maximumSize: Int = 64 << 20,
                    invalidUnicode: InvalidUnicode = .reject) {
            self.maximumDepth = maximumDepth
            self.maximumSize = maximumSize
            self.invalidUnicode = invalidUnicode
        }

        /// Go's `encoding/json` rules, for documents other tools wrote in Go
        /// (manifests, image configs, Docker Engine answers).
        public static let goCompatible = Options(invalidUnicode: .replace)
    }

    private let bytes: [UInt8]
    private let options: Options
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    /// Parses one JSON value filling the whole text (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], options: Options = Options()) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, options: options)
        guard bytes.count <= options.maximumSize else {
            throw parser.error("the document is \(bytes.count) bytes, "
                + "more than the limit of \(options.maximumSize)")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the JSON value")
        }
        return value
    }

    /// Parses UTF-8 text.
    public static func parse(_ text: String, options: Options = Options()) throws -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    // MARK: - Values

    private mutating func parseValue() throws -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterNesting()
        defer { depth -= 1 }
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()), expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("unexpected \(describeCurrent()), expected ':'") }
            index += 1
            skipWhitespace()
            members.append(JSONObject.Member(key: key, value: try parseValue()))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(JSONObject(members))
            default: throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterNesting()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }
    }

    private mutating func enterNesting() throws {
        depth += 1
        if depth > options.maximumDepth {
            throw error("nesting deeper than \(options.maximumDepth) levels")
        }
    }

    // MARK: - Strings

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        var output: [UInt8] = []
        while true {
            // Copy a run of plain bytes at once.
            let runStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
                  bytes[index] >= 0x20 {
                index += 1
            }
            output.append(contentsOf: bytes[runStart..<index])

            guard let byte = peek() else {
                index = start
                throw error("unterminated string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try makeString(output, start: start)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &output)
            default:
                throw error("control character U+\(hex4(UInt16(byte))) inside a string; escape it")
            }
        }
    }

    private mutating func makeString(_ utf8: [UInt8], start: Int) throws -> String {
        if let text = String(validating: utf8, as: UTF8.self) { return text }
        guard options.invalidUnicode == .replace else {
            index = start
            throw error("string is not valid UTF-8")
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws {
        index += 1
        guard index < bytes.count else { throw error("unterminated escape sequence") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"): output.append(contentsOf: String(Character(try parseUnicodeEscape())).utf8)
        default:
            index -= 2
            throw error("invalid escape sequence '\\\(describeByte(escaped))'")
        }
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair.
    private mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let first = UInt32(try parseHex4())
        if (0xD800..<0xDC00).contains(first), peek() == UInt8(ascii: "\\"), peek(offset: 1) == UInt8(ascii: "u") {
            let save = index
            index += 2
            let second = UInt32(try parseHex4())
            if (0xDC00..<0xE000).contains(second),
               let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) {
                return scalar
            }
            // Not a pair: the second escape is read on its own, as Go does.
            index = save
        }
        if let scalar = Unicode.Scalar(first) { return scalar }
        guard options.invalidUnicode == .replace else { throw error("unpaired surrogate in \\u escape") }
        return "\u{FFFD}"
    }

    private mutating func parseHex4() throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = hexDigitValue(byte) else {
                throw error("expected four hexadecimal digits in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: - Numbers and words

    private mutating func parseNumber() throws -> String {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(peek()) {
            skipDigits()
        } else {
            throw error("expected a digit in number")
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw error("expected a digit after the decimal point") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func expectWord(_ word: String) throws {
        let start = index
        for expected in word.utf8 {
            guard peek() == expected else {
                index = start
                throw error("expected '\(word)'")
            }
            index += 1
        }
    }

    // MARK: - Bytes

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    private mutating func skipDigits() {
        while isDigit(peek()) { index += 1 }
    }

    private func peek(offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func describeCurrent() -> String {
        guard let byte = peek() else { return "end of input" }
        return "'\(describeByte(byte))'"
    }

    private func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        return "\\x" + String(byte, radix: 16)
    }

    private func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// An error at the current position.
    private func error(_ reason: String) -> JSONSyntaxError {
        var line = 1
        var lineStart = 0
        let end = min(index, bytes.count)
        for position in 0..<end where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return JSONSyntaxError(line: line, column: end - lineStart + 1, reason: reason)
    }
}
