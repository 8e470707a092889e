import Foundation
import Testing
import TestSupport

/// `ko completion` scripts loaded by real shells: bash with bash-completion,
/// zsh typing Tab on a tmux terminal, and fish's own completion query.
@Suite(.serialized)
struct CompletionTests {
    /// A directory with one subdirectory and one file, to complete paths in.
    static func workspace() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("ko-complete")
        try directory.write("cmd/app/main.go", "package main\n")
        try directory.write("notes.txt", "x\n")
        return directory
    }

    static func script(_ shell: String) throws -> String {
        try ProcessRunner.check(Products.ko, ["completion", shell]).output
    }

    /// What bash-completion offers for the line `words` (split as bash splits
    /// it, the last word under the cursor).
    static func bash(_ words: [String], line: String, in directory: String) throws -> [String] {
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let program = """
            source /usr/share/bash-completion/bash_completion
            source <('\(Products.ko)' completion bash)
            complete -p ko >&2
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _ko
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try ProcessRunner.run("bash", ["-c", program], directory: directory)
        try #require(result.status == 0 && result.errorOutput.contains("complete -F _ko ko"),
                     "bash did not load the script: \(result.errorOutput)")
        return result.output.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashWithBashCompletionCompletesCommandsFlagsAndValues() throws {
        let workspace = try Self.workspace()
        let dir = workspace.path
        #expect(try Self.bash(["ko", "bu"], line: "ko bu", in: dir) == ["build"])
        #expect(try Self.bash(["ko", "build", "--pu"], line: "ko build --pu", in: dir) == ["--push"])
        #expect(try Self.bash(["ko", "publish", "--oci"], line: "ko publish --oci", in: dir) == ["--oci-layout-path"])
        #expect(try Self.bash(["ko", "build", "--platform", "linux/ar"], line: "ko build --platform linux/ar",
                              in: dir) == ["linux/arm/v7", "linux/arm64"])
        #expect(try Self.bash(["ko", "build", "--push", "=", ""], line: "ko build --push=", in: dir)
            == ["false", "true"])
        // Import paths are directories; --image-refs takes a file.
        #expect(try Self.bash(["ko", "build", ""], line: "ko build ", in: dir) == ["cmd"])
        #expect(try Self.bash(["ko", "build", "--image-refs", "no"], line: "ko build --image-refs no", in: dir)
            == ["notes.txt"])
        #expect(try Self.bash(["ko", "completion", ""], line: "ko completion ", in: dir) == ["bash", "fish", "zsh"])
        #expect(try Self.bash(["ko", "help", "lo"], line: "ko help lo", in: dir) == ["login", "logout"])
        #expect(try Self.bash(["ko", "login", "--password-"], line: "ko login --password-", in: dir)
            == ["--password-stdin"])
        #expect(try Self.bash(["ko", "__"], line: "ko __", in: dir) == [], "hidden commands must not complete")
    }

    @Test func zshCompletesAFlagOnTab() throws {
        let workspace = try Self.workspace()
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = Products.binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["TERM"] = "xterm-256color"
        let terminal = try TerminalSession("cd '\(workspace.path)' && exec zsh -f", environment: environment)
        defer { terminal.stop() }
        try terminal.send("autoload -U compinit && compinit -u && source <(ko completion zsh) && echo loaded",
                          literal: true)
        try terminal.send("Enter")
        try terminal.wait(upTo: 60, for: "the script loading") { try terminal.screen().contains("\nloaded") }

        try terminal.send("ko build --pu", literal: true)
        try terminal.send("Tab")
        try terminal.wait(upTo: 60, for: "--pu completed to --push") {
            try terminal.screen().contains("ko build --push ")
        }
        try terminal.send(" --platform linux/arm6", literal: true)
        try terminal.send("Tab")
        try terminal.wait(upTo: 60, for: "a platform completed") {
            try terminal.screen().contains("--platform linux/arm64")
        }
    }

    @Test func fishCompletesCommandsAndFlags() throws {
        let workspace = try Self.workspace()
        let file = try workspace.write("ko.fish", try Self.script("fish"))
        func complete(_ line: String) throws -> [String] {
            let result = try ProcessRunner.run("fish", ["--no-config", "-c", "source '\(file)'; complete -C'\(line)'"],
                                               directory: workspace.path)
            try #require(result.status == 0, "fish: \(result.errorOutput)")
            return result.output.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }.sorted()
        }
        #expect(try complete("ko bu") == ["build"])
        #expect(try complete("ko build --pu") == ["--push"])
        #expect(try complete("ko completion ") == ["bash", "fish", "zsh"])
        #expect(try complete("ko build --oci-layout-path ").contains("cmd/"))
        #expect(try complete("ko build --image-refs no") == ["notes.txt"])
    }
}
