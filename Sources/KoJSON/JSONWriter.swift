/// Writes `JSONValue`s as UTF-8 JSON text.
///
/// Strings are escaped as Go's `encoding/json` escapes them: `"`, `\` and
/// control characters (with `\n`, `\r`, `\t`, `\b`, `\f` short forms),
/// U+2028 and U+2029 (they end lines in JavaScript), and with
/// `escapesHTML` also `<`, `>` and `&`. '/' is never escaped. Numbers are
/// written with the text they were read with.
public enum JSONWriter {
    /// How the text is laid out.
    public struct Options: Hashable, Sendable {
        /// Object members sorted by the UTF-8 bytes of their keys (Go's order
        /// for map keys); a repeated key is written once, with its last value.
        /// Otherwise members are written in order, repeats included.
        public var sortsKeys: Bool
        /// `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, as Go's encoder
        /// writes them unless told otherwise.
        public var escapesHTML: Bool
        /// nil for compact text; otherwise a newline before each member or
        /// element, this string once per level, and `": "` after keys, as Go's
        /// `MarshalIndent`. Empty objects and arrays stay `{}` and `[]`.
        public var indent: String?

        public init(sortsKeys: Bool = false, escapesHTML: Bool = false, indent: String? = nil) {
            self.sortsKeys = sortsKeys
            self.escapesHTML = escapesHTML
            self.indent = indent
        }

        /// Member order, no whitespace: the credential-helper protocol.
        public static let compact = Options()

        /// The one encoding of every byte that is hashed or pushed: sorted
        /// keys, no whitespace, Go's escaping, so documents come out as ko's
        /// Go code (go-containerregistry) writes them.
        public static let canonical = Options(sortsKeys: true, escapesHTML: true)

        /// Member order, one tab per level, Go's escaping: config.json as the
        /// Docker CLI writes it (`json.MarshalIndent` with a tab, which writes
        /// `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`), so a file both
        /// tools edit comes out byte for byte the same.
        public static let tabIndented = Options(escapesHTML: true, indent: "\t")
    }

    /// The text of `value` as UTF-8 bytes.
    public static func bytes(_ value: JSONValue, options: Options = .compact) -> [UInt8] {
        var writer = Output(options: options)
        writer.write(value, level: 0)
        return writer.bytes
    }

    /// The text of `value`.
    public static func string(_ value: JSONValue, options: Options = .compact) -> String {
        String(decoding: bytes(value, options: options), as: UTF8.self)
    }

    /// Compact text in member order (`Options.compact`).
    public static func compact(_ value: JSONValue) -> String {
        string(value, options: .compact)
    }

    /// Tab-indented text in member order (`Options.tabIndented`).
    public static func indented(_ value: JSONValue) -> String {
        string(value, options: .tabIndented)
    }
}

/// The bytes written so far and how to write more.
private struct Output {
    let options: Options
    var bytes: [UInt8] = []

    typealias Options = JSONWriter.Options

    init(options: Options) {
        self.options = options
        bytes.reserveCapacity(1024)
    }

    mutating func write(_ value: JSONValue, level: Int) {
        switch value {
        case .null: bytes += "null".utf8
        case let .bool(flag): bytes += (flag ? "true" : "false").utf8
        case let .number(text): bytes += text.utf8
        case let .string(text): writeString(text)
        case let .array(elements):
            guard !elements.isEmpty else {
                bytes += "[]".utf8
                return
            }
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                write(element, level: level + 1)
            }
            newline(level: level)
            bytes.append(UInt8(ascii: "]"))
        case let .object(object):
            guard !object.isEmpty else {
                bytes += "{}".utf8
                return
            }
            bytes.append(UInt8(ascii: "{"))
            let members = options.sortsKeys ? Self.sortedLastMembers(object.members) : object.members
            for (position, member) in members.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                if options.indent != nil { bytes.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1)
            }
            newline(level: level)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(level: Int) {
        guard let indent = options.indent else { return }
        bytes.append(0x0A)
        for _ in 0..<level { bytes += indent.utf8 }
    }

    /// Members sorted by key bytes, each key once with its last value.
    private static func sortedLastMembers(_ members: [JSONObject.Member]) -> [JSONObject.Member] {
        let order = members.indices.sorted { lhs, rhs in
            let left = members[lhs].key.utf8, right = members[rhs].key.utf8
            if left.lexicographicallyPrecedes(right) { return true }
            if right.lexicographicallyPrecedes(left) { return false }
            return lhs < rhs
        }
        var result: [JSONObject.Member] = []
        result.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            let next = position + 1 < order.count ? order[position + 1] : nil
            if let next, JSONObject.same(members[next].key, members[index].key) { continue }
            result.append(members[index])
        }
        return result
    }

    // MARK: - Strings

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = Array(text.utf8)
        var runStart = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let escape = escapeLength(utf8, at: index)
            guard escape > 0 else {
                index += 1
                continue
            }
            bytes += utf8[runStart..<index]
            switch byte {
            case UInt8(ascii: "\""): bytes += "\\\"".utf8
            case UInt8(ascii: "\\"): bytes += "\\\\".utf8
            case 0x0A: bytes += "\\n".utf8
            case 0x0D: bytes += "\\r".utf8
            case 0x09: bytes += "\\t".utf8
            case 0x08: bytes += "\\b".utf8
            case 0x0C: bytes += "\\f".utf8
            case 0xE2: writeUnicodeEscape(utf8[index + 2] == 0xA8 ? 0x2028 : 0x2029)
            default: writeUnicodeEscape(UInt32(byte))
            }
            index += escape
            runStart = index
        }
        bytes += utf8[runStart..<utf8.count]
        bytes.append(UInt8(ascii: "\""))
    }

    /// How many bytes at `index` form one character to escape; 0 for none.
    private func escapeLength(_ utf8: [UInt8], at index: Int) -> Int {
        switch utf8[index] {
        case 0x00..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"): return 1
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): return options.escapesHTML ? 1 : 0
        case 0xE2:
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            let isSeparator = index + 2 < utf8.count && utf8[index + 1] == 0x80
                && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9)
            return isSeparator ? 3 : 0
        default: return 0
        }
    }

    private mutating func writeUnicodeEscape(_ value: UInt32) {
        bytes += "\\u".utf8
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(Self.hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
