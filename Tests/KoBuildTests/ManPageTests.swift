import Foundation
import Testing
import TestSupport
@testable import KoCommandLine

/// man(7) rendering of declarations, checked by mandoc itself.
struct ManPageTests {
    /// Declaration text that roff would misread if it were not escaped.
    static let tricky = CommandSpec(
        name: "frob", summary: "Frob the widgets.", usage: "ko frob [flags] WIDGET...",
        description: ".SH is not a section here, 'neither is this', and a \\fB backslash stays text. "
            + "Hyphens in --flags stay minus signs: \"quoted\" too.",
        options: [
            OptionSpec("level", short: "l", kind: .value(placeholder: "N"), default: "3",
                       help: ".TP at the start of help, a \\ and \"quotes\"."),
        ],
        examples: [(".frob --level=5 'knob'", "An example that starts with a dot")])

    /// Runs `mandoc -T lint` over `files`; its output lists every problem.
    static func lint(_ files: [String]) throws -> ProcessResult {
        try ProcessRunner.run("mandoc", ["-T", "lint", "-W", "style"] + files)
    }

    @Test func escapesEverythingRoffWouldInterpret() {
        #expect(Roff.escape(".TH x") == "\\&.TH x")
        #expect(Roff.escape("'quote") == "\\&'quote")
        #expect(Roff.escape("a\\b") == "a\\eb")
        #expect(Roff.escape("--push=false") == "\\-\\-push=false")
        #expect(Roff.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test func paragraphsBreakAtSentencesAndStayShort() {
        let lines = Roff.paragraph("One sentence here. Then " + String(repeating: "word ", count: 40) + ".start")
        #expect(lines.first == "One sentence here.")
        #expect(lines.allSatisfy { $0.utf8.count <= Roff.lineLimit })
        #expect(lines.allSatisfy { !$0.hasPrefix(".") && !$0.hasPrefix(" ") })
        #expect(lines.last?.hasSuffix("\\&.start") == true)
    }

    @Test func trickyDeclarationsGiveLintCleanPages() throws {
        let directory = try TemporaryDirectory("ko-man")
        var files: [String] = []
        for page in ManPage.pages(for: [Self.tricky]) {
            files.append(try directory.write(page.fileName, page.source))
        }
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["ko.1", "ko-frob.1"])
        let result = try Self.lint(files)
        #expect(result.output.isEmpty && result.errorOutput.isEmpty, "mandoc -T lint:\n\(result.errorOutput)")
        // The text survives rendering as written.
        let text = try ProcessRunner.check("mandoc", ["-T", "ascii", files[1]]).output
            .replacingOccurrences(of: #"(.)\x08"#, with: "", options: .regularExpression)
        let flat = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(flat.contains(".SH is not a section here, 'neither is this', and a \\fB backslash stays text."))
        #expect(flat.contains(".TP at the start of help, a \\ and \"quotes\". (default 3)"))
        #expect(flat.contains(".frob --level=5 'knob'"))
    }

    @Test func commandsSharingAPageAreDocumentedTogether() {
        let login = CommandSpec(name: "login", summary: "Log in.", usage: "ko login [SERVER]", description: "",
                                options: [])
        let logout = CommandSpec(name: "logout", summary: "Log out.", usage: "ko logout [SERVER]",
                                 description: "", options: [])
        let hidden = CommandSpec(name: "__man", summary: "x", usage: "ko __man", description: "", options: [],
                                 isHidden: true)
        let pages = ManPage.pages(for: [login, logout, hidden])
        #expect(pages.map(\.fileName) == ["ko.1", "ko-login.1"])
        let page = pages[1].source
        #expect(page.contains(".B ko login\n[SERVER]\n.br\n.B ko logout\n[SERVER]"))
        #expect(page.contains(".SS \"ko logout\""))
        #expect(!pages[0].source.contains("__man"))
    }

    /// CI runs this: every page in man/, generated or written by hand, is lint clean.
    @Test func theShippedPagesAreLintClean() throws {
        let directory = Products.packageRoot + "/man"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".1") || $0.hasSuffix(".5") }.sorted().map { directory + "/" + $0 }
        try #require(files.count >= 6, "man/ holds only \(files)")
        let result = try Self.lint(files)
        #expect(result.status == 0 && result.output.isEmpty && result.errorOutput.isEmpty,
                "mandoc -T lint man/*:\n\(result.output)\(result.errorOutput)")
    }
}
