import Foundation
import KoCommandLine
import KoLog

/// Every `ko` command, and how a command line picks one.
enum KoCommands {
    /// A command's declaration and the code that runs it.
    struct Entry {
        var spec: CommandSpec
        var run: (ParsedArguments, CommandContext) throws -> Void
    }

    static let entries: [Entry] = [
        Entry(spec: BuildCommand.spec, run: BuildCommand.run),
        Entry(spec: ResolveCommand.spec, run: ResolveCommand.run),
        Entry(spec: KubectlCommands.apply, run: KubectlCommands.runApply),
        Entry(spec: KubectlCommands.create, run: KubectlCommands.runCreate),
        Entry(spec: KubectlCommands.delete, run: KubectlCommands.runDelete),
        Entry(spec: KubectlCommands.runSpec, run: KubectlCommands.runRun),
        Entry(spec: LoginCommand.spec, run: LoginCommand.run),
        Entry(spec: LogoutCommand.spec, run: LogoutCommand.run),
        Entry(spec: VersionCommand.spec, run: VersionCommand.run),
    ]

    static func run(_ arguments: [String], environment: [String: String]) throws {
        guard let name = arguments.first, name != "help", name != "--help", name != "-h" else {
            let topic = arguments.dropFirst().first
            if let topic, let entry = find(topic) {
                print(HelpText.render(entry.spec), terminator: "")
            } else if let topic {
                throw UsageError("unknown command '\(topic)'")
            } else {
                print(overview(), terminator: "")
            }
            return
        }
        guard let entry = find(name) else {
            throw UsageError("unknown command '\(name)'")
        }
        // `ko delete` hands every word to kubectl, flags included.
        let words = Array(arguments.dropFirst())
        let rawCommand = entry.spec.name == KubectlCommands.delete.name && !words.contains("--help")
        let parsed = try ParsedArguments(rawCommand ? ["--"] + words : words, spec: entry.spec)
        if parsed.flag("help") {
            print(HelpText.render(entry.spec), terminator: "")
            return
        }
        let context = CommandContext(environment: environment, verbose: parsed.flag("verbose"))
        try entry.run(parsed, context)
    }

    /// Commands left out of the overview: `__layer` serves the benchmarks in bench/,
    /// `__credential-helper` serves docker-credential-ko.
    static let hiddenEntries: [Entry] = [
        Entry(spec: LayerCommand.spec, run: LayerCommand.run),
        Entry(spec: CredentialHelperCommand.spec, run: CredentialHelperCommand.run),
    ]

    static func find(_ name: String) -> Entry? {
        (entries + hiddenEntries).first { $0.spec.name == name || $0.spec.aliases.contains(name) }
    }

    static func overview() -> String {
        var lines = ["ko builds Go programs into container images and pushes them to registries, without Docker.",
                     "", "Usage:", "  ko <command> [flags]", "", "Commands:"]
        let width = entries.map(\.spec.name.count).max() ?? 0
        for entry in entries {
            let padding = String(repeating: " ", count: width - entry.spec.name.count + 3)
            lines.append("  \(entry.spec.name)\(padding)\(entry.spec.summary)")
        }
        lines += ["", "Run 'ko <command> --help' for a command's flags."]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What every command gets: the environment and the logger its flags chose.
struct CommandContext {
    var environment: [String: String]
    var verbose: Bool

    /// `-v` shows trace-level detail (every HTTP exchange, redacted); otherwise
    /// one line per step.
    var logger: Logger { Logger(minimumLevel: verbose ? .trace : .info) }

    var workingDirectory: String { FileManager.default.currentDirectoryPath }
}
