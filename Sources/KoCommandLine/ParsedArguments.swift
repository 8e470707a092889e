/// Flags and positional arguments of one command line, checked against a `CommandSpec`.
public struct ParsedArguments: Sendable {
    public private(set) var positionals: [String] = []
    /// Everything after a bare `--`, passed on untouched (to kubectl, for example).
    public private(set) var passthrough: [String] = []
    private var values: [String: [String]] = [:]
    private let spec: CommandSpec

    /// The command these arguments belong to, for messages.
    public var commandName: String { spec.name }

    /// Parses `arguments` (the words after the command name) GNU style:
    /// `--name value`, `--name=value`, `-n value`, `-nvalue`, `--flag=false`.
    public init(_ arguments: [String], spec: CommandSpec) throws {
        self.spec = spec
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                passthrough = Array(arguments[index...])
                break
            }
            guard word.hasPrefix("-"), word != "-" else {
                positionals.append(word)
                continue
            }
            let (option, inlineValue) = try lookup(word)
            switch option.kind {
            case .boolean:
                let text = inlineValue ?? "true"
                guard text == "true" || text == "false" else {
                    throw UsageError("flag --\(option.long) takes true or false, not '\(text)'")
                }
                values[option.long, default: []].append(text)
            case .value, .list, .repeated:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError("flag --\(option.long) needs a value")
                }
                if case .list = option.kind {
                    values[option.long, default: []] += value.split(separator: ",").map(String.init)
                } else {
                    values[option.long, default: []].append(value)
                }
            }
        }
    }

    private func lookup(_ word: String) throws -> (OptionSpec, String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let inline = body.contains("=") ? String(body.split(separator: "=", maxSplits: 1,
                                                               omittingEmptySubsequences: false)[1]) : nil
            guard let option = spec.allOptions.first(where: { $0.long == name }) else {
                throw UsageError("unknown flag --\(name) for 'ko \(spec.name)'")
            }
            return (option, inline)
        }
        let letters = word.dropFirst()
        guard let letter = letters.first,
              let option = spec.allOptions.first(where: { $0.short == letter }) else {
            throw UsageError("unknown shorthand flag '\(word)' for 'ko \(spec.name)'")
        }
        var rest = String(letters.dropFirst())
        if rest.hasPrefix("=") { rest.removeFirst() }
        if case .boolean = option.kind, !rest.isEmpty, rest != "true", rest != "false" {
            throw UsageError("unknown shorthand flag '\(word)' for 'ko \(spec.name)'")
        }
        return (option, rest.isEmpty ? nil : rest)
    }

    /// Whether a boolean flag is on, falling back to its declared default.
    public func flag(_ long: String) -> Bool {
        if let last = values[long]?.last { return last == "true" }
        return option(long)?.defaultValue == "true"
    }

    /// Whether the flag was given at all.
    public func isSet(_ long: String) -> Bool { values[long] != nil }

    /// The last value given, else the declared default.
    public func value(_ long: String) -> String? {
        values[long]?.last ?? option(long)?.defaultValue
    }

    /// Every value given, else the declared default split on commas.
    public func list(_ long: String) -> [String] {
        if let given = values[long] { return given }
        return option(long)?.defaultValue?.split(separator: ",").map(String.init) ?? []
    }

    private func option(_ long: String) -> OptionSpec? {
        spec.allOptions.first { $0.long == long }
    }
}

/// A command line that does not fit its command: exit status 64.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
