import Testing
@testable import KoCommandLine

struct ArgumentParserTests {
    static let spec = CommandSpec(
        name: "build", summary: "s", usage: "u", description: "",
        options: [
            OptionSpec("tags", short: "t", kind: .list(placeholder: "TAG"), default: "latest", help: "tags"),
            OptionSpec("push", default: "true", help: "push"),
            OptionSpec("bare", help: "bare"),
            OptionSpec("image-refs", kind: .value(placeholder: "FILE"), help: "refs"),
        ])

    @Test func defaultsApplyWhenFlagsAreAbsent() throws {
        let parsed = try ParsedArguments(["./cmd/app"], spec: Self.spec)
        #expect(parsed.positionals == ["./cmd/app"])
        #expect(parsed.list("tags") == ["latest"])
        #expect(parsed.flag("push"))
        #expect(!parsed.flag("bare"))
    }

    @Test func acceptsEveryGNUForm() throws {
        let parsed = try ParsedArguments(["-t", "a,b", "--tags=c", "-td", "--push=false", "--bare",
                                          "--image-refs", "refs.txt", "x", "--", "--not-a-flag"], spec: Self.spec)
        #expect(parsed.list("tags") == ["a", "b", "c", "d"])
        #expect(!parsed.flag("push"))
        #expect(parsed.flag("bare"))
        #expect(parsed.value("image-refs") == "refs.txt")
        #expect(parsed.positionals == ["x"])
        #expect(parsed.passthrough == ["--not-a-flag"])
    }

    @Test(arguments: [["--nope"], ["-x"], ["--image-refs"], ["--push=maybe"], ["-bfoo"]])
    func refusesBadCommandLines(arguments: [String]) {
        #expect(throws: UsageError.self) { try ParsedArguments(arguments, spec: Self.spec) }
    }

    @Test func helpShowsEveryFlagWithItsDefault() {
        let help = HelpText.render(Self.spec)
        #expect(help.contains("-t, --tags TAG"))
        #expect(help.contains("(default latest)"))
        #expect(help.contains("--help"))
    }
}
