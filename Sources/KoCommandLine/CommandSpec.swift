/// A command: its name, what it does, and the flags it takes. The same
/// declaration drives parsing, `--help`, the man pages and the shell
/// completions, so none of them can drift from what the command accepts.
public struct CommandSpec: Sendable {
    public var name: String
    public var aliases: [String]
    /// One sentence for command lists and the man page's NAME line.
    public var summary: String
    public var usage: String
    public var description: String
    public var options: [OptionSpec]
    public var examples: [(command: String, explanation: String)]
    /// What positional arguments complete to in a shell.
    public var arguments: ValueCompletion
    /// Hidden commands (`__man`) are left out of help, man pages and completions.
    public var isHidden: Bool

    public init(name: String, aliases: [String] = [], summary: String, usage: String,
                description: String, options: [OptionSpec],
                examples: [(command: String, explanation: String)] = [],
                arguments: ValueCompletion = .none, isHidden: Bool = false) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.usage = usage
        self.description = description
        self.options = options
        self.examples = examples
        self.arguments = arguments
        self.isHidden = isHidden
    }

    /// Flags every command accepts.
    public static let commonOptions: [OptionSpec] = [
        OptionSpec("verbose", short: "v",
                   help: "Log each step in detail, and every HTTP exchange with secrets redacted."),
        OptionSpec("quiet", short: "q", help: "Print errors only: no progress lines and no step lines."),
        OptionSpec("help", short: "h", help: "Show this help."),
    ]

    public var allOptions: [OptionSpec] { options + Self.commonOptions }

    /// The name and every alias.
    public var names: [String] { [name] + aliases }
}
