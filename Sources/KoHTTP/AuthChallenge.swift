/// One challenge of a `WWW-Authenticate` header (RFC 7235 §2.1 and §4.1), such as
/// `Bearer realm="https://auth.example/token",service="registry.example"`.
///
/// Parsing is total: malformed input yields nil, never a crash. It is lenient
/// where servers are known to be sloppy (unquoted values containing `/` or `:`,
/// stray commas and spaces) and strict where the meaning would be ambiguous
/// (unterminated quotes, a parameter without a name).
public struct AuthChallenge: Equatable, Sendable, CustomStringConvertible {
    /// The auth scheme as sent (`Basic`, `Bearer`); compare with `isScheme`.
    public var scheme: String
    /// Auth parameters by lowercased name; values are unquoted and unescaped.
    public var parameters: [String: String]
    /// The token68 form (`Negotiate abc==`), when the challenge carries one instead of parameters.
    public var token68: String?

    /// A challenge from parts; parameter names must already be lowercase.
    public init(scheme: String, parameters: [String: String] = [:], token68: String? = nil) {
        self.scheme = scheme
        self.parameters = parameters
        self.token68 = token68
    }

    /// Whether the scheme is `name`, ignoring case as RFC 7235 requires.
    public func isScheme(_ name: String) -> Bool { scheme.lowercased() == name.lowercased() }

    /// A parameter by case-insensitive name.
    public func parameter(_ name: String) -> String? { parameters[name.lowercased()] }

    /// The realm parameter, present in Basic and Bearer challenges.
    public var realm: String? { parameter("realm") }

    public var description: String {
        var text = scheme
        if let token68 { return text + " " + token68 }
        let pairs = parameters.sorted { $0.key < $1.key }.map { name, value -> String in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return "\(name)=\"\(escaped)\""
        }
        if !pairs.isEmpty { text += " " + pairs.joined(separator: ", ") }
        return text
    }

    /// Every challenge in one header value, or nil when the value is malformed or empty.
    public static func parse(_ header: String) -> [AuthChallenge]? {
        var parser = ChallengeParser(Array(header.utf8))
        guard let challenges = parser.parseAll(), !challenges.isEmpty else { return nil }
        return challenges
    }

    /// Every challenge across several `WWW-Authenticate` header values (a
    /// response may repeat the header); malformed values are skipped.
    public static func parse(headers: [String]) -> [AuthChallenge] {
        headers.flatMap { parse($0) ?? [] }
    }
}

/// A recursive-descent reader over the bytes of one header value.
private struct ChallengeParser {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let comma = UInt8(ascii: ",")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8? { atEnd ? nil : bytes[index] }

    /// `1#challenge`: challenges separated by commas, empty list elements allowed.
    mutating func parseAll() -> [AuthChallenge]? {
        var challenges: [AuthChallenge] = []
        skipSeparators()
        while !atEnd {
            guard let challenge = parseChallenge() else { return nil }
            challenges.append(challenge)
            skipWhitespace()
            if atEnd { break }
            guard current == ChallengeParser.comma else { return nil }
            skipSeparators()
        }
        return challenges
    }

    /// `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`; leaves the index at the
    /// comma (or end) that follows the challenge.
    private mutating func parseChallenge() -> AuthChallenge? {
        guard let scheme = token() else { return nil }
        var challenge = AuthChallenge(scheme: scheme)
        let afterScheme = index
        skipWhitespace()
        if atEnd || current == ChallengeParser.comma { return challenge }
        guard index > afterScheme else { return nil }  // the scheme must be followed by a space

        let start = index
        if let (name, value) = parameter() {
            challenge.parameters[name] = value
            parseMoreParameters(into: &challenge)
            return challenge
        }
        index = start
        if let token = token68() {
            challenge.token68 = token
            return challenge
        }
        return nil
    }

    /// Further `, name=value` pairs. Stops at a comma that is followed by the
    /// next challenge (a token not followed by `=`), which `parseAll` then reads.
    private mutating func parseMoreParameters(into challenge: inout AuthChallenge) {
        while true {
            let beforeSeparator = index
            skipWhitespace()
            guard current == ChallengeParser.comma else {
                index = beforeSeparator
                return
            }
            let comma = index
            skipSeparators()
            if atEnd { return }
            guard let (name, value) = parameter() else {
                index = comma
                return
            }
            // RFC 7235: a parameter name appears once per challenge; keep the first.
            if challenge.parameters[name] == nil { challenge.parameters[name] = value }
        }
    }

    /// `token BWS "=" BWS ( token / quoted-string )`, with the name lowercased.
    private mutating func parameter() -> (String, String)? {
        guard let name = token() else { return nil }
        skipWhitespace()
        guard current == ChallengeParser.equals else { return nil }
        index += 1
        skipWhitespace()
        if current == ChallengeParser.quote {
            guard let value = quotedString() else { return nil }
            return (name.lowercased(), value)
        }
        // A second "=" means this was token68 padding, not a parameter.
        guard current != ChallengeParser.equals, let value = looseValue() else { return nil }
        return (name.lowercased(), value)
    }

    /// An unquoted value. RFC 7235 allows only a token here; servers also send
    /// URLs, so anything up to a comma, space or quote is accepted.
    private mutating func looseValue() -> String? {
        let start = index
        while let byte = current, byte > 0x20, byte != 0x7f, byte != ChallengeParser.comma,
              byte != ChallengeParser.quote {
            index += 1
        }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `DQUOTE *( qdtext / quoted-pair ) DQUOTE`, returned without quotes and escapes.
    private mutating func quotedString() -> String? {
        guard current == ChallengeParser.quote else { return nil }
        index += 1
        var value: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case ChallengeParser.quote:
                return String(decoding: value, as: UTF8.self)
            case ChallengeParser.backslash:
                guard let escaped = current else { return nil }
                index += 1
                value.append(escaped)
            default:
                // qdtext excludes control characters other than tab.
                guard byte >= 0x20 || byte == ChallengeParser.tab, byte != 0x7f else { return nil }
                value.append(byte)
            }
        }
        return nil  // unterminated
    }

    /// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`,
    /// which must end the challenge.
    private mutating func token68() -> String? {
        let start = index
        while let byte = current, ChallengeParser.isAlphanumeric(byte) || "-._~+/".utf8.contains(byte) {
            index += 1
        }
        guard index > start else { return nil }
        while current == ChallengeParser.equals { index += 1 }
        let value = String(decoding: bytes[start..<index], as: UTF8.self)
        skipWhitespace()
        guard atEnd || current == ChallengeParser.comma else { return nil }
        return value
    }

    /// `token = 1*tchar`.
    private mutating func token() -> String? {
        let start = index
        while let byte = current, ChallengeParser.isTokenCharacter(byte) { index += 1 }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipWhitespace() {
        while current == ChallengeParser.space || current == ChallengeParser.tab { index += 1 }
    }

    private mutating func skipSeparators() {
        while current == ChallengeParser.space || current == ChallengeParser.tab || current == ChallengeParser.comma {
            index += 1
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }

    /// `tchar` of RFC 9110 §5.6.2.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
