/// Renders `ko <command> --help` from a `CommandSpec`.
public enum HelpText {
    public static func render(_ spec: CommandSpec) -> String {
        var lines = [spec.summary, "", "Usage:", "  \(spec.usage)"]
        if !spec.aliases.isEmpty {
            lines += ["", "Aliases:", "  \(([spec.name] + spec.aliases).joined(separator: ", "))"]
        }
        if !spec.description.isEmpty { lines += ["", spec.description] }
        if !spec.examples.isEmpty {
            lines += ["", "Examples:"]
            for example in spec.examples {
                lines += ["  # \(example.explanation)", "  \(example.command)", ""]
            }
            lines.removeLast()
        }
        lines += ["", "Flags:"]
        let width = spec.allOptions.map(\.synopsis.count).max() ?? 0
        for option in spec.allOptions {
            var help = option.help
            if let value = option.defaultValue, !(value == "false") {
                help += " (default \(value))"
            }
            let padding = String(repeating: " ", count: width - option.synopsis.count + 3)
            lines.append("  \(option.synopsis)\(padding)\(help)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
