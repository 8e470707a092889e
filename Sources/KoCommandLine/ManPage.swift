/// One manual page: where it goes and its man(7) source.
public struct ManPage: Sendable, Equatable {
    /// `ko-build`.
    public var name: String
    public var section: Int
    public var source: String

    /// `ko-build.1`, the file name under man/ and man1/.
    public var fileName: String { "\(name).\(section)" }

    /// The pages made from command declarations: `ko(1)`, then one page per
    /// command, or per group of commands sharing a page (`ko logout` is on
    /// `ko-login(1)`). Hidden commands get none.
    public static func pages(for specs: [CommandSpec]) -> [ManPage] {
        let visible = specs.filter { !$0.isHidden }
        var groups: [(page: String, specs: [CommandSpec])] = []
        for spec in visible {
            let page = pageName(of: spec)
            if let index = groups.firstIndex(where: { $0.page == page }) {
                groups[index].specs.append(spec)
            } else {
                groups.append((page, [spec]))
            }
        }
        return [overviewPage(visible, pages: groups.map(\.page))]
            + groups.map { commandPage($0.page, specs: $0.specs) }
    }

    /// The page a command is documented on.
    public static func pageName(of spec: CommandSpec) -> String {
        KoManual.manual(for: spec.name).page ?? "ko-\(spec.name)"
    }

    // MARK: Pages

    static func commandPage(_ name: String, specs: [CommandSpec]) -> ManPage {
        let manuals = specs.map { KoManual.manual(for: $0.name) }
        let summary = manuals.compactMap(\.pageSummary).first ?? specs[0].summary
        var lines = header(name, summary: summary)

        lines.append(".SH SYNOPSIS")
        for (index, spec) in specs.enumerated() {
            if index > 0 { lines.append(".br") }
            lines += synopsis(spec.usage, command: "ko \(spec.name)")
        }

        lines.append(".SH DESCRIPTION")
        for (spec, manual) in zip(specs, manuals) {
            if specs.count > 1 { lines.append(".SS \(Roff.quoted("ko \(spec.name)"))") }
            lines += Roff.paragraph([spec.summary, spec.description].filter { !$0.isEmpty }
                .joined(separator: " "))
            if !spec.aliases.isEmpty {
                let aliases = spec.aliases.map { "ko \($0)" }.joined(separator: ", ")
                lines += [".PP"] + Roff.paragraph("Also available as \(aliases).")
            }
            for detail in manual.details { lines += [".PP"] + Roff.paragraph(detail) }
        }

        lines.append(".SH OPTIONS")
        for spec in specs {
            if specs.count > 1 { lines.append(".SS \(Roff.quoted("ko \(spec.name)"))") }
            lines += options(spec.allOptions)
        }

        let examples = specs.flatMap(\.examples)
        if !examples.isEmpty {
            lines.append(".SH EXAMPLES")
            for (index, example) in examples.enumerated() {
                if index > 0 { lines.append(".PP") }
                lines += Roff.paragraph(example.explanation + ":")
                lines += [".PP", ".RS 4", ".EX", Roff.escape(example.command), ".EE", ".RE"]
            }
        }
        lines += environment(unique(manuals.flatMap(\.environment), by: \.name))
        lines += files(unique(manuals.flatMap(\.files), by: \.path))
        lines += seeAlso(unique(["ko(1)"] + manuals.flatMap(\.seeAlso), by: { $0 }))
        return ManPage(name: name, section: 1, source: lines.joined(separator: "\n") + "\n")
    }

    static func overviewPage(_ specs: [CommandSpec], pages: [String]) -> ManPage {
        var lines = header("ko", summary: "Build Go programs into container images without Docker.")
        lines += [".SH SYNOPSIS", ".B ko", "\\fIcommand\\fR [flags] [arguments]"]
        lines.append(".SH DESCRIPTION")
        for (index, detail) in KoManual.overviewDetails.enumerated() {
            if index > 0 { lines.append(".PP") }
            lines += Roff.paragraph(detail)
        }

        lines.append(".SH COMMANDS")
        for spec in specs {
            lines += [".TP", spec.names.map(Roff.bold).joined(separator: ", ")]
            lines += Roff.paragraph("\(spec.summary) See \(pageName(of: spec))(1).")
        }
        // `help` is no declared command, but the overview lists it.
        for (name, summary) in HelpText.commandList(specs) where !specs.contains(where: { $0.name == name }) {
            lines += [".TP", Roff.bold(name)] + Roff.paragraph(summary)
        }

        lines.append(".SH OPTIONS")
        lines += Roff.paragraph("Every command takes these flags:")
        lines += options(CommandSpec.commonOptions)
        lines += environment(KoManual.overviewEnvironment)
        lines += files(KoManual.overviewFiles)
        lines += [".SH EXIT STATUS", ".TP", ".B 0", "Success.", ".TP", ".B 1"]
        lines += Roff.paragraph("The command failed; standard error says what failed and what to do.")
        lines += [".TP", ".B 64"] + Roff.paragraph("The command line does not fit the command (a usage error).")
        lines += seeAlso(pages.map { "\($0)(1)" } + KoManual.overviewSeeAlso)
        return ManPage(name: "ko", section: 1, source: lines.joined(separator: "\n") + "\n")
    }

    // MARK: Sections

    private static func header(_ name: String, summary: String) -> [String] {
        var nameLine = summary
        if nameLine.hasSuffix(".") { nameLine.removeLast() }
        // NAME lines start lower case unless the word is an acronym ("OCI").
        let first = nameLine.prefix(2)
        if first.count == 2, first.last?.isLowercase == true {
            nameLine = first.prefix(1).lowercased() + nameLine.dropFirst()
        }
        return [".\\\" Generated by 'make man' from ko's command declarations; do not edit.",
                ".TH \(Roff.escape(name.uppercased())) 1 \(KoVersion.manualDate) "
                    + "\(Roff.quoted("ko \(KoVersion.number)")) \(Roff.quoted("ko Manual"))",
                ".SH NAME",
                "\(Roff.escape(name)) \\- \(Roff.escape(nameLine))"]
    }

    private static func synopsis(_ usage: String, command: String) -> [String] {
        guard usage.hasPrefix(command) else { return Roff.paragraph(usage) }
        let rest = usage.dropFirst(command.count).trimmingSpaces()
        return [".B \(Roff.escape(command))"] + Roff.paragraph(rest)
    }

    private static func options(_ options: [OptionSpec]) -> [String] {
        options.flatMap { option -> [String] in
            var tag = option.short.map { Roff.bold("-\($0)") + ", " } ?? ""
            tag += Roff.bold("--\(option.long)")
            if let placeholder = option.placeholder { tag += " " + Roff.italic(placeholder) }
            return [".TP", tag] + Roff.paragraph(option.helpWithDefault)
        }
    }

    private static func environment(_ variables: [(name: String, meaning: String)]) -> [String] {
        guard !variables.isEmpty else { return [] }
        return [".SH ENVIRONMENT"] + variables.flatMap { variable -> [String] in
            let names = variable.name.split(separator: ",").map { Roff.bold($0.trimmingSpaces()) }
            return [".TP", names.joined(separator: ", ")] + Roff.paragraph(variable.meaning)
        }
    }

    private static func files(_ files: [(path: String, meaning: String)]) -> [String] {
        guard !files.isEmpty else { return [] }
        return [".SH FILES"] + files.flatMap { [".TP", Roff.italic($0.path)] + Roff.paragraph($0.meaning) }
    }

    /// `.BR name (section),` lines for references written `name(section)`.
    private static func seeAlso(_ references: [String]) -> [String] {
        guard !references.isEmpty else { return [] }
        var lines = [".SH SEE ALSO"]
        for (index, reference) in references.enumerated() {
            guard let open = reference.firstIndex(of: "(") else { continue }
            let comma = index < references.count - 1 ? "," : ""
            lines.append(".BR \(Roff.escape(String(reference[..<open]))) \(reference[open...])\(comma)")
        }
        return lines
    }

    private static func unique<Element>(_ elements: [Element], by key: (Element) -> String) -> [Element] {
        var seen: Set<String> = []
        return elements.filter { seen.insert(key($0)).inserted }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
