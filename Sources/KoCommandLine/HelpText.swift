/// Renders `ko help` and `ko <command> --help` from the command declarations
/// and `KoManual`, the same sources the man pages are made from.
public enum HelpText {
    /// Lines are wrapped to this many columns.
    static let width = 100

    /// The help of one command: summary, usage, description, examples, every
    /// flag with its default, and the environment it reads.
    public static func render(_ spec: CommandSpec, manual: CommandManual? = nil) -> String {
        let manual = manual ?? KoManual.manual(for: spec.name)
        var lines = [spec.summary, "", "Usage:", "  \(spec.usage)"]
        if !spec.aliases.isEmpty {
            lines += ["", "Aliases:", "  \(spec.names.joined(separator: ", "))"]
        }
        if !spec.description.isEmpty { lines += [""] + wrap(spec.description, width: width) }
        if !spec.examples.isEmpty {
            lines += ["", "Examples:"]
            for example in spec.examples {
                lines += ["  # \(example.explanation)", "  \(example.command)", ""]
            }
            lines.removeLast()
        }
        lines += ["", "Flags:"] + table(spec.allOptions.map { ($0.synopsis, $0.helpWithDefault) })
        if !manual.environment.isEmpty {
            lines += ["", "Environment:"] + table(manual.environment.map { ($0.name, $0.meaning) })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `ko help`: what ko is, its commands and the flags they all take.
    public static func overview(_ specs: [CommandSpec]) -> String {
        var lines = ["ko builds Go programs into container images and pushes them to registries, without Docker.",
                     "", "Usage:", "  ko <command> [flags]", "", "Commands:"]
        lines += table(commandList(specs).map { ($0.name, $0.summary) })
        lines += ["", "Flags for every command:"]
        lines += table(CommandSpec.commonOptions.map { ($0.synopsis, $0.helpWithDefault) })
        lines += ["", "Run 'ko <command> --help' for a command's flags, and 'man ko-<command>' for its manual."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The visible commands, then `help` itself, as the overview lists them.
    public static func commandList(_ specs: [CommandSpec]) -> [(name: String, summary: String)] {
        specs.filter { !$0.isHidden }.map { ($0.name, $0.summary) }
            + [("help", "Show the help of ko or of a command.")]
    }

    /// Two columns, the second wrapped under itself.
    static func table(_ rows: [(String, String)]) -> [String] {
        let keyWidth = min(rows.map(\.0.count).max() ?? 0, 40)
        let textWidth = max(width - keyWidth - 5, 30)
        var lines: [String] = []
        for (key, text) in rows {
            let wrapped = wrap(text, width: textWidth)
            let indent = String(repeating: " ", count: keyWidth + 5)
            if key.count > keyWidth {
                lines.append("  \(key)")
                lines += wrapped.map { indent + $0 }
                continue
            }
            let padding = String(repeating: " ", count: keyWidth - key.count + 3)
            lines.append("  \(key)\(padding)\(wrapped.first ?? "")")
            lines += wrapped.dropFirst().map { indent + $0 }
        }
        return lines
    }

    /// `text` split into lines of at most `width` columns at spaces (a longer
    /// word stays whole).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
