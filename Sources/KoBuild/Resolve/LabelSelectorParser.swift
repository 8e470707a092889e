/// Parses the text of a label selector into requirements.
struct LabelSelectorParser {
    private enum Token: Equatable {
        case identifier(String)
        case not, equals, doubleEquals, notEquals, greater, less, comma, open, close, end
    }

    private let text: String
    private var tokens: [Token] = []
    private var position = 0

    init(text: String) {
        self.text = text
    }

    mutating func parse() throws -> [LabelSelector.Requirement] {
        tokens = try Self.lex(text)
        var requirements: [LabelSelector.Requirement] = []
        if tokens == [.end] { return [] }
        while true {
            requirements.append(try requirement())
            switch next() {
            case .comma: continue
            case .end: return requirements
            case let token: throw failure("expected ',' or the end after a requirement, found \(Self.show(token))")
            }
        }
    }

    // MARK: - Grammar

    private mutating func requirement() throws -> LabelSelector.Requirement {
        if peek() == .not {
            position += 1
            return .doesNotExist(try key())
        }
        let name = try key()
        switch peek() {
        case .comma, .end:
            return .exists(name)
        case .equals, .doubleEquals:
            position += 1
            return .equals(name, try value())
        case .notEquals:
            position += 1
            return .notEquals(name, try value())
        case .greater, .less:
            let isGreater = next() == .greater
            let text = try value()
            guard let bound = Int64(text) else { throw failure("'\(text)' after \(name) must be an integer") }
            return isGreater ? .greaterThan(name, bound) : .lessThan(name, bound)
        case .identifier("in"), .identifier("notin"):
            let isIn = next() == .identifier("in")
            let values = try valueSet()
            return isIn ? .isIn(name, values) : .notIn(name, values)
        case let token:
            throw failure("expected an operator (=, ==, !=, in, notin, >, <) after '\(name)', "
                          + "found \(Self.show(token))")
        }
    }

    private mutating func key() throws -> String {
        guard case let .identifier(name) = next() else {
            throw failure("expected a label key")
        }
        try Self.validateKey(name, in: self)
        return name
    }

    /// A value may be empty: `key=` selects an empty label value.
    private mutating func value() throws -> String {
        guard case let .identifier(word) = peek() else { return "" }
        position += 1
        try Self.validateValue(word, in: self)
        return word
    }

    private mutating func valueSet() throws -> Set<String> {
        guard next() == .open else { throw failure("expected '(' after in/notin") }
        var values: Set<String> = []
        // Kubernetes reads `()` as the set holding the empty value.
        if peek() == .close {
            position += 1
            return [""]
        }
        while true {
            values.insert(try value())
            switch next() {
            case .comma: continue
            case .close: return values
            case let token: throw failure("expected ',' or ')' in a value set, found \(Self.show(token))")
            }
        }
    }

    private mutating func next() -> Token {
        defer { position = min(position + 1, tokens.count - 1) }
        return tokens[position]
    }

    private func peek() -> Token { tokens[position] }

    private func failure(_ reason: String) -> ResolveError {
        .invalidSelector(text, reason: reason)
    }

    // MARK: - Words

    private static func lex(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var characters = Array(text)[...]
        while let character = characters.first {
            switch character {
            case " ", "\t", "\n", "\r":
                characters.removeFirst()
            case ",": tokens.append(.comma); characters.removeFirst()
            case "(": tokens.append(.open); characters.removeFirst()
            case ")": tokens.append(.close); characters.removeFirst()
            case ">": tokens.append(.greater); characters.removeFirst()
            case "<": tokens.append(.less); characters.removeFirst()
            case "!", "=":
                let pair = String(characters.prefix(2))
                if pair == "!=" || pair == "==" {
                    tokens.append(pair == "!=" ? .notEquals : .doubleEquals)
                    characters.removeFirst(2)
                } else {
                    tokens.append(character == "!" ? .not : .equals)
                    characters.removeFirst()
                }
            default:
                var word = ""
                while let next = characters.first, !" \t\n\r,()<>!=".contains(next) {
                    word.append(next)
                    characters.removeFirst()
                }
                tokens.append(.identifier(word))
            }
        }
        tokens.append(.end)
        return tokens
    }

    private static func show(_ token: Token) -> String {
        switch token {
        case let .identifier(word): return "'\(word)'"
        case .not: return "'!'"
        case .equals: return "'='"
        case .doubleEquals: return "'=='"
        case .notEquals: return "'!='"
        case .greater: return "'>'"
        case .less: return "'<'"
        case .comma: return "','"
        case .open: return "'('"
        case .close: return "')'"
        case .end: return "the end"
        }
    }

    /// A key is an optional DNS-subdomain prefix and `/`, then a name of at
    /// most 63 characters.
    private static func validateKey(_ key: String, in parser: LabelSelectorParser) throws {
        var name = Substring(key)
        if let slash = key.firstIndex(of: "/") {
            let prefix = key[..<slash]
            name = key[key.index(after: slash)...]
            let labels = prefix.split(separator: ".", omittingEmptySubsequences: false)
            guard !prefix.isEmpty, prefix.count <= 253,
                  labels.allSatisfy({ isName($0, allowed: "-") && $0.allSatisfy { !$0.isUppercase } }) else {
                throw parser.failure("the prefix of key '\(key)' must be a lowercase DNS subdomain")
            }
        }
        guard !name.isEmpty, name.count <= 63, isName(name, allowed: "-_.") else {
            throw parser.failure("key '\(key)' must be at most 63 letters, digits, '-', '_' or '.', "
                                 + "beginning and ending with a letter or digit")
        }
    }

    private static func validateValue(_ value: String, in parser: LabelSelectorParser) throws {
        guard value.count <= 63, value.isEmpty || isName(Substring(value), allowed: "-_.") else {
            throw parser.failure("value '\(value)' must be at most 63 letters, digits, '-', '_' or '.', "
                                 + "beginning and ending with a letter or digit")
        }
    }

    private static func isName(_ text: Substring, allowed: String) -> Bool {
        guard let first = text.first, let last = text.last,
              first.isASCII, first.isLetter || first.isNumber,
              last.isASCII, last.isLetter || last.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) }
    }
}
