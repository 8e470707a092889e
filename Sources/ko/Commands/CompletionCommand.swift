import KoCommandLine

/// `ko completion bash|zsh|fish`: a completion script made from the command
/// declarations, so every command and flag completes.
enum CompletionCommand {
    static let spec = CommandSpec(
        name: "completion", summary: "Print a shell completion script.",
        usage: "ko completion bash|zsh|fish",
        description: "The script completes ko's commands, their flags, and the values of flags that take "
            + "files, directories or a fixed set of words. 'make install' installs it for all three shells.",
        options: [],
        examples: [
            ("source <(ko completion bash)", "Complete ko in the running bash"),
            ("ko completion zsh > \"${fpath[1]}/_ko\"", "Install it for zsh"),
            ("ko completion fish > ~/.config/fish/completions/ko.fish", "Install it for fish"),
        ],
        arguments: .words(CompletionScript.shells))

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count == 1, let shell = arguments.positionals.first,
              let script = CompletionScript.script(for: shell, program: "ko",
                                                   specs: KoCommands.entries.map(\.spec)) else {
            throw UsageError("'ko completion' takes one shell: "
                             + CompletionScript.shells.joined(separator: ", "))
        }
        print(script, terminator: "")
    }
}
