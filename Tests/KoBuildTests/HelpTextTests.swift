import Testing
@testable import KoCommandLine

/// `--help` and `ko help` as rendered from declarations.
struct HelpTextTests {
    static let spec = CommandSpec(
        name: "frob", aliases: ["twiddle"], summary: "Frob the widgets.", usage: "ko frob [flags] WIDGET...",
        description: String(repeating: "Every widget named is frobbed once, in order. ", count: 6),
        options: [
            OptionSpec("level", short: "l", kind: .value(placeholder: "N"), default: "3", help: "How hard to frob."),
            OptionSpec("dry-run", help: "Say what would be frobbed."),
            OptionSpec("loud", default: "true", help: "Frob loudly."),
            OptionSpec("output", kind: .value(placeholder: "FILE"), help: "Write the report to FILE."),
        ],
        examples: [("ko frob -l 5 knob", "Frob the knob hard"), ("ko twiddle dial", "Twiddle the dial")])

    static let manual = CommandManual(environment: [("FROB_HOME", "Where frobbed widgets are kept.")])

    @Test func showsUsageEveryFlagWithItsDefaultExamplesAndEnvironment() {
        let help = HelpText.render(Self.spec, manual: Self.manual)
        #expect(help.hasPrefix("Frob the widgets.\n\nUsage:\n  ko frob [flags] WIDGET...\n"))
        #expect(help.contains("Aliases:\n  frob, twiddle\n"))
        for option in Self.spec.allOptions {
            #expect(help.contains(option.synopsis), "\(option.long) is missing from:\n\(help)")
        }
        #expect(help.contains("-l, --level N"))
        #expect(help.contains("How hard to frob. (default 3)"))
        #expect(help.contains("Frob loudly. (default true)"))
        // A switch that is off by default shows no default.
        #expect(help.contains("Say what would be frobbed.\n"))
        #expect(help.contains("-q, --quiet"))
        #expect(help.contains("  # Frob the knob hard\n  ko frob -l 5 knob\n"))
        #expect(help.contains("Environment:\n  FROB_HOME   Where frobbed widgets are kept.\n"))
    }

    @Test func wrapsLongTextAtWordsWithinTheWidth() {
        let help = HelpText.render(Self.spec, manual: Self.manual)
        for line in help.split(separator: "\n") {
            #expect(line.count <= HelpText.width, "too long: \(line)")
        }
        let description = help.split(separator: "\n").filter { $0.contains("frobbed once") }
        #expect(description.count > 1, "the description was not wrapped")
        // Wrapping loses no word.
        let words = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0 == "frobbed" }
        #expect(words.count == 6 + 1)
    }

    @Test func theOverviewListsVisibleCommandsAndTheCommonFlags() {
        let hidden = CommandSpec(name: "__secret", summary: "Hidden.", usage: "ko __secret", description: "",
                                 options: [], isHidden: true)
        let overview = HelpText.overview([Self.spec, hidden])
        #expect(overview.contains("  frob   Frob the widgets."))
        #expect(overview.contains("  help   Show the help of ko or of a command."))
        #expect(!overview.contains("__secret"))
        for option in CommandSpec.commonOptions {
            #expect(overview.contains(option.synopsis))
        }
    }

    @Test(arguments: [("FILE", ValueCompletion.files), ("DIR", .directories), ("TAG", .none)])
    func placeholdersImplyWhatAValueCompletesTo(placeholder: String, expected: ValueCompletion) {
        #expect(OptionSpec("x", kind: .value(placeholder: placeholder), help: "").completion == expected)
        #expect(OptionSpec("x", kind: .value(placeholder: placeholder), completion: .words(["a"]), help: "")
            .completion == .words(["a"]))
    }
}
