import Foundation
import Testing
import TestSupport

/// The real binary's help, man pages and version: help and man come from one
/// source, the pages in man/ are the generated ones, and every command's
/// help says what its page says.
struct HelpManTests {
    /// The pages in man/ written by hand rather than generated.
    static let handWritten: Set<String> = ["ko.yaml.5", "docker-credential-ko.1"]
    static let manDirectory = Products.packageRoot + "/man"

    static func ko(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(Products.ko, arguments)
    }

    /// A page as a reader sees it, whitespace runs made one space.
    static func rendered(_ file: String) throws -> String {
        let text = try ProcessRunner.check("mandoc", ["-T", "ascii", file]).output
            .replacingOccurrences(of: #".\x08"#, with: "", options: .regularExpression)
        return flat(text)
    }

    static func flat(_ text: some StringProtocol) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The lines of a `Name:` section of help, up to the next blank line.
    static func section(_ name: String, of help: String) -> [Substring] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: Substring(name + ":")) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    /// Two-column rows ("  -t, --tags TAG   Tags to ..."), continuation lines joined.
    static func rows(_ lines: [Substring]) -> [(key: String, text: String)] {
        var rows: [(key: String, text: String)] = []
        for line in lines {
            let indent = line.prefix { $0 == " " }.count
            if indent <= 6, let gap = line.dropFirst(indent).range(of: "  ") {
                let body = line.dropFirst(indent)
                rows.append((String(body[..<gap.lowerBound]), flat(body[gap.upperBound...])))
            } else if indent <= 6 {
                rows.append((flat(line), ""))
            } else if !rows.isEmpty {
                rows[rows.count - 1].text = flat(rows[rows.count - 1].text + " " + line)
            }
        }
        return rows
    }

    @Test func theShippedManPagesAreTheGeneratedOnes() throws {
        let listed = try ProcessRunner.check(Products.ko, ["__man"]).output.split(separator: "\n").map(String.init)
        try #require(listed.contains("ko.1") && listed.contains("ko-build.1") && listed.contains("ko-login.1"))
        for page in listed {
            let generated = try ProcessRunner.check(Products.ko, ["__man", page]).output
            let shipped = try String(contentsOfFile: Self.manDirectory + "/" + page, encoding: .utf8)
            let current = shipped == generated
            #expect(current, "man/\(page) is stale: run 'make man'")
        }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory))
        #expect(files == Set(listed).union(Self.handWritten),
                "man/ has pages no command declares (or lacks some): run 'make man' and remove stale ones")
    }

    @Test func everyCommandsHelpIsOnItsManPage() throws {
        let overview = try Self.ko(["help"]).output
        let commands = Self.rows(Self.section("Commands", of: overview)).map(\.key).filter { $0 != "help" }
        try #require(commands.contains("build") && commands.contains("login") && commands.contains("completion"))
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory)
            .filter { $0.hasSuffix(".1") }
            .map { (name: $0, text: try Self.rendered(Self.manDirectory + "/" + $0)) }

        for command in commands {
            let help = try Self.ko([command, "--help"])
            #expect(help.status == 0)
            #expect(try Self.ko([command, "-h"]).output == help.output)
            #expect(try Self.ko(["help", command]).output == help.output)

            let usage = Self.flat(try #require(Self.section("Usage", of: help.output).first))
            let page = try #require(pages.first { $0.text.contains("SYNOPSIS " + usage) || $0.text.contains(usage) },
                                    "no man page shows the usage '\(usage)'")
            let summary = String(help.output.prefix { $0 != "\n" })
            #expect(page.text.contains(summary), "\(page.name) lacks the summary of \(command)")
            // The description: the lines between usage (or aliases) and the next section.
            let paragraphs = help.output.components(separatedBy: "\n\n")
            if let description = paragraphs.dropFirst(2).first(where: { !$0.contains(":\n") }) {
                #expect(page.text.contains(Self.flat(description)), "\(page.name) lacks: \(description)")
            }
            for alias in Self.section("Aliases", of: help.output).flatMap({ $0.split(separator: ",") }) {
                #expect(page.text.contains("ko " + Self.flat(alias)))
            }
            let flags = Self.rows(Self.section("Flags", of: help.output))
            #expect(flags.contains { $0.key == "-h, --help" })
            for flag in flags {
                let shown = page.text.contains(flag.key + " " + flag.text)
                #expect(shown, "\(page.name) lacks '\(flag.key)' with '\(flag.text)'")
            }
            for variable in Self.rows(Self.section("Environment", of: help.output)) {
                #expect(page.text.contains(variable.key + " " + variable.text),
                        "\(page.name) lacks the variable \(variable.key)")
            }
            let examples = Self.section("Examples", of: help.output)
            for (comment, line) in zip(examples, examples.dropFirst()) where comment.hasPrefix("  # ") {
                #expect(page.text.contains(Self.flat(comment.dropFirst(4)) + ": " + Self.flat(line)),
                        "\(page.name) lacks the example \(line)")
            }
        }
    }

    @Test func theOverviewIsTheSameEverywhereAndMatchesKo1() throws {
        let overview = try Self.ko(["help"])
        #expect(overview.status == 0)
        for arguments in [[], ["--help"], ["-h"]] {
            #expect(try Self.ko(arguments).output == overview.output)
        }
        #expect(overview.output.contains("Flags for every command:"))
        let page = try Self.rendered(Self.manDirectory + "/ko.1")
        for row in Self.rows(Self.section("Commands", of: overview.output)) {
            #expect(page.contains(row.text), "ko(1) lacks the command \(row.key)")
        }
        for row in Self.rows(Self.section("Flags for every command", of: overview.output)) {
            #expect(page.contains(row.key + " " + row.text))
        }
        #expect(!overview.output.contains("__man"))
    }

    @Test func anUnknownHelpTopicIsAUsageError() throws {
        let result = try Self.ko(["help", "frobnicate"])
        #expect(result.status == 64)
        #expect(result.errorOutput.contains("unknown command 'frobnicate'"))
        #expect(result.errorOutput.contains("ko help"))
    }

    @Test func bothBinariesPrintTheVersionAndTheCommit() throws {
        let ko = try ProcessRunner.check(Products.ko, ["version"]).output
        let pattern = #/^(\d+\.\d+\.\d+) \(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\)\n$/#
        let match = try #require(ko.wholeMatch(of: pattern), "ko version printed '\(ko)'")
        let helper = try ProcessRunner.check(Products.credentialHelper, ["version"]).output
        #expect(helper == "docker-credential-ko (ko) \(ko)")
        #expect(try Self.ko(["version", "--help"]).output.contains("Usage:\n  ko version"))
        _ = match
    }
}
