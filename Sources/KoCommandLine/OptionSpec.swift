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
    /// What the flag's value completes to in a shell.
    public var completion: ValueCompletion

    /// A flag. Without `completion`, a `FILE` placeholder completes file names,
    /// a `DIR` placeholder directory names, and any other value nothing.
    public init(_ long: String, short: Character? = nil, kind: Kind = .boolean,
                default defaultValue: String? = nil, completion: ValueCompletion? = nil, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.completion = completion ?? OptionSpec.completion(for: kind)
    }

    private static func completion(for kind: Kind) -> ValueCompletion {
        switch kind {
        case .boolean: return .none
        case let .value(placeholder), let .list(placeholder), let .repeated(placeholder):
            switch placeholder {
            case "FILE": return .files
            case "DIR": return .directories
            default: return .none
            }
        }
    }

    /// Whether the flag takes a value (`--tags v1`), as opposed to a switch.
    public var takesValue: Bool {
        if case .boolean = kind { return false }
        return true
    }

    /// Whether the flag may be given more than once, every value kept.
    public var isRepeatable: Bool {
        switch kind {
        case .list, .repeated: return true
        case .boolean, .value: return false
        }
    }

    /// The placeholder of the value (`TAG`), nil for a switch.
    public var placeholder: String? {
        switch kind {
        case .boolean: return nil
        case let .value(placeholder), let .list(placeholder), let .repeated(placeholder): return placeholder
        }
    }

    /// The help sentence with the default appended, as `--help` and the man
    /// pages show it: "Push the image. (default true)". A switch that is off
    /// by default says nothing more.
    public var helpWithDefault: String {
        guard let value = defaultValue, value != "false" else { return help }
        return "\(help) (default \(value))"
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
