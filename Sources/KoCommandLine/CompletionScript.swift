/// Shell completion scripts made from the command declarations, so every
/// command, alias and flag completes as soon as it is declared.
public enum CompletionScript {
    /// The shells `ko completion` writes scripts for.
    public static let shells = ["bash", "zsh", "fish"]

    /// The script for `shell`, or nil when it is not one of `shells`.
    public static func script(for shell: String, program: String, specs: [CommandSpec]) -> String? {
        let visible = specs.filter { !$0.isHidden }
        switch shell {
        case "bash": return bash(program: program, specs: visible)
        case "zsh": return zsh(program: program, specs: visible)
        case "fish": return fish(program: program, specs: visible)
        default: return nil
        }
    }

    /// Every word that names a command, `help` included.
    static func commandWords(_ specs: [CommandSpec]) -> [String] {
        specs.flatMap(\.names) + ["help"]
    }

    /// `help` as a pseudo-command: it takes a command name.
    static func helpSpec() -> CommandSpec {
        CommandSpec(name: "help", summary: "Show the help of ko or of a command.", usage: "ko help [COMMAND]",
                    description: "", options: [], arguments: .commands)
    }

    /// Single-quoted for sh, bash and zsh.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }
}
