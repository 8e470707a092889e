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
        Entry(spec: LayerCommand.spec, run: LayerCommand.run),
        Entry(spec: CompletionCommand.spec, run: CompletionCommand.run),
        Entry(spec: ManCommand.spec, run: ManCommand.run),
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
        // `ko delete` hands every word to kubectl, flags included, except
        // ko's own help flags (`ko delete -- -h` reaches kubectl's).
        let words = Array(arguments.dropFirst())
        let rawCommand = entry.spec.name == KubectlCommands.delete.name && !words.contains("--help")
            && !words.contains("-h")
        let parsed = try ParsedArguments(rawCommand ? ["--"] + words : words, spec: entry.spec)
        if parsed.flag("help") {
            print(HelpText.render(entry.spec), terminator: "")
            return
        }
        if parsed.flag("verbose"), parsed.flag("quiet") {
            throw UsageError("flags --verbose and --quiet cannot be combined")
        }
        let context = CommandContext(environment: environment, verbose: parsed.flag("verbose"),
                                     quiet: parsed.flag("quiet"))
        try entry.run(parsed, context)
    }

    static func find(_ name: String) -> Entry? {
        entries.first { $0.spec.name == name || $0.spec.aliases.contains(name) }
    }

    static func overview() -> String { HelpText.overview(entries.map(\.spec)) }
}

/// What every command gets: the environment, and the logger and progress
/// lines its flags chose.
struct CommandContext {
    var environment: [String: String]
    var verbose: Bool
    var quiet = false
    /// Live lines on a terminal, plain lines elsewhere, nothing with `-q`.
    let progress: ProgressReporter

    init(environment: [String: String], verbose: Bool, quiet: Bool = false) {
        self.environment = environment
        self.verbose = verbose
        self.quiet = quiet
        progress = .standardError(environment: environment, quiet: quiet)
    }

    /// `-v` shows trace-level detail (every HTTP exchange, redacted), `-q`
    /// errors only; otherwise one line per step.
    var logger: Logger {
        Logger(minimumLevel: verbose ? .trace : quiet ? .error : .info, sink: progress.logSink)
    }

    var workingDirectory: String { FileManager.default.currentDirectoryPath }
}
