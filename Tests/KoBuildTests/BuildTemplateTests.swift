import Foundation
import Testing
import TestSupport
@testable import KoBuild

struct BuildTemplateTests {
    static func values(environment: [String: String] = [:], git: [String: String] = [:],
                       goEnvironment: [String: String] = [:]) -> BuildTemplate.Values {
        BuildTemplate.Values(environment: environment, goEnvironment: { goEnvironment[$0] },
                             git: { git }, date: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test(arguments: [
        ("-X main.v={{.Env.V}}", "-X main.v=1.0"),
        ("{{ .Env.V }}-{{.Timestamp}}", "1.0-1700000000"),
        ("{{.Date}}", "2023-11-14T22:13:20Z"),
        ("{{- .Git.ShortCommit -}}", "abc1234"),
        ("{{.GoEnv.GOARCH}}", "amd64"),
        ("no templates", "no templates"),
    ])
    func expandsFields(template: String, expected: String) throws {
        let values = Self.values(environment: ["V": "1.0"], git: ["ShortCommit": "abc1234"],
                                 goEnvironment: ["GOARCH": "amd64"])
        #expect(try BuildTemplate.expand(template, values: values, source: "ldflags") == expected)
    }

    @Test(arguments: ["{{.Env.MISSING}}", "{{.Git.Nope}}", "{{.Unknown}}", "{{if .Env.X}}y{{end}}", "{{.Env.X"])
    func refusesMissingOrUnsupported(template: String) {
        #expect(throws: BuildError.self) {
            try BuildTemplate.expand(template, values: Self.values(), source: "ldflags")
        }
    }

    @Test func gitFactsDescribeARealRepository() throws {
        let repository = try TemporaryDirectory("ko-git")
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": repository.path,
                   "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                   "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z", "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z"]
        for arguments in [["init", "-q", "-b", "trunk"], ["commit", "-q", "--allow-empty", "-m", "one"],
                          ["tag", "v0.3.0"]] {
            try ProcessRunner.check("git", ["-C", repository.path] + arguments, environment: env)
        }
        var facts = try GitFacts.read(directory: repository.path, environment: env)
        #expect(facts["Branch"] == "trunk")
        #expect(facts["Tag"] == "v0.3.0")
        #expect(facts["FullCommit"]?.count == 40)
        #expect(facts["FullCommit"]?.hasPrefix(facts["ShortCommit"] ?? "-") == true)
        #expect(facts["CommitTimestamp"] == "1704164645")
        #expect(facts["TreeState"] == "clean")
        try repository.write("new.txt", "x")
        facts = try GitFacts.read(directory: repository.path, environment: env)
        #expect(facts["IsDirty"] == "true")
        #expect(facts["TreeState"] == "dirty")
    }
}
