/// One flag a command accepts. The same declaration drives parsing, `--help`
/// and the man pages, so they cannot drift apart.
public struct OptionSpec: Sendable {
    /// What the flag carries.
    public enum Kind: Sendable {
        /// `--push`, `--push=false`.
        case boolean
        /// `--tarball FILE`; the last one given wins.
        case value(placeholder: String)
        /// `-t a -t b` or `-t a,b`; every value is kept.
        case list(placeholder: String)
        /// `--image-arg a --image-arg b`; every value is kept whole, commas included.
        case repeated(placeholder: String)
    }

    public var long: String
    public var short: Character?
    public var kind: Kind
    public var defaultValue: String?
    public var help: String

    public init(_ long: String, short: Character? = nil, kind: Kind = .boolean,
                default defaultValue: String? = nil, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// `-t, --tags strings` as shown in help.
    public var synopsis: String {
        var text = short.map { "-\($0), " } ?? "    "
        text += "--\(long)"
        switch kind {
        case .boolean: break
        case let .value(placeholder), let .list(placeholder), let .repeated(placeholder):
            text += " \(placeholder)"
        }
        return text
    }
}

/// A command: its name, what it does, and the flags it takes.
public struct CommandSpec: Sendable {
    public var name: String
    public var aliases: [String]
    public var summary: String
    public var usage: String
    public var description: String
    public var options: [OptionSpec]
    public var examples: [(command: String, explanation: String)]

    public init(name: String, aliases: [String] = [], summary: String, usage: String,
                description: String, options: [OptionSpec],
                examples: [(command: String, explanation: String)] = []) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.usage = usage
        self.description = description
        self.options = options
        self.examples = examples
    }

    /// Flags every command accepts.
    public static let commonOptions: [OptionSpec] = [
        OptionSpec("verbose", short: "v", help: "Log each step in detail, and every HTTP exchange with secrets redacted."),
        OptionSpec("help", short: "h", help: "Show this help."),
    ]

    public var allOptions: [OptionSpec] { options + Self.commonOptions }
}
