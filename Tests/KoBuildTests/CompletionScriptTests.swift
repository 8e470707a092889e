import Testing
import TestSupport
@testable import KoCommandLine

/// Completion scripts made from declarations whose text is hostile to shell
/// quoting: each must still parse, in each shell, and complete.
struct CompletionScriptTests {
    static let specs = [
        CommandSpec(
            name: "frob", aliases: ["twiddle"], summary: "Frob 'the' widgets: [all] of them.", usage: "ko frob",
            description: "", options: [
                OptionSpec("level", short: "l", kind: .value(placeholder: "N"), default: "3",
                           help: "How hard: 1-9 [default: 3], it's \"relative\"; `really` $HOME \\ too."),
                OptionSpec("color", kind: .value(placeholder: "WHEN"), completion: .words(["always", "never"]),
                           help: "When to color."),
                OptionSpec("output", kind: .value(placeholder: "FILE"), help: "Report file."),
                OptionSpec("tag", short: "t", kind: .list(placeholder: "TAG"), help: "Tags."),
                OptionSpec("dry-run", help: "Frob nothing."),
            ],
            arguments: .words(["knob", "dial"])),
        CommandSpec(name: "__hidden", summary: "x", usage: "ko __hidden", description: "",
                    options: [OptionSpec("secret-flag", help: "x")], isHidden: true),
    ]

    static func script(_ shell: String) throws -> String {
        try #require(CompletionScript.script(for: shell, program: "ko", specs: specs))
    }

    @Test(arguments: [("bash", ["-n"]), ("zsh", ["-n"]), ("fish", ["--no-execute"])])
    func everyScriptParses(shell: String, check: [String]) throws {
        let directory = try TemporaryDirectory("ko-completion")
        let file = try directory.write("script", try Self.script(shell))
        let result = try ProcessRunner.run(shell, check + [file])
        #expect(result.status == 0, "\(shell) rejects the script: \(result.errorOutput)")
        #expect(try !Self.script(shell).contains("__hidden"))
        #expect(try !Self.script(shell).contains("secret-flag"))
    }

    @Test func anUnknownShellHasNoScript() {
        #expect(CompletionScript.script(for: "tcsh", program: "ko", specs: Self.specs) == nil)
    }

    /// `words` is how bash split the line, the last being the word under the cursor.
    static func bashComplete(_ words: [String], line: String) throws -> [String] {
        let directory = try TemporaryDirectory("ko-completion")
        let file = try directory.write("ko.bash", try Self.script("bash"))
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let program = """
            source /usr/share/bash-completion/bash_completion
            source '\(file)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _ko
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try ProcessRunner.run("bash", ["-c", program], directory: directory.path)
        try #require(result.status == 0, "bash: \(result.errorOutput)")
        return result.output.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashCompletesCommandsFlagsAndValues() throws {
        #expect(try Self.bashComplete(["ko", "tw"], line: "ko tw") == ["twiddle"])
        #expect(try Self.bashComplete(["ko", "frob", "--dr"], line: "ko frob --dr") == ["--dry-run"])
        #expect(try Self.bashComplete(["ko", "twiddle", "--color", ""], line: "ko twiddle --color ")
            == ["always", "never"])
        #expect(try Self.bashComplete(["ko", "frob", "--color", "=", "n"], line: "ko frob --color=n") == ["never"])
        #expect(try Self.bashComplete(["ko", "frob", "--dry-run", "=", ""], line: "ko frob --dry-run=")
            == ["false", "true"])
        #expect(try Self.bashComplete(["ko", "frob", "-l", ""], line: "ko frob -l ") == [])
        #expect(try Self.bashComplete(["ko", "frob", ""], line: "ko frob ") == ["dial", "knob"])
        #expect(try Self.bashComplete(["ko", "__h"], line: "ko __h") == [])
    }
}
