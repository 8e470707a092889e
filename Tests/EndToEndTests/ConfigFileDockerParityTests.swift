import Foundation
import Testing
import TestSupport

/// config.json as the real Docker CLI (28.x) writes it: `ko login` and `ko
/// logout` storing into the file leave the same bytes as `docker login` and
/// `docker logout` do from the same starting file. Go's `MarshalIndent`
/// writes `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`, `\u003e`, `\u0026`,
/// `\u2028`, `\u2029`, puts top-level members in its struct's field order and
/// sorts the keys of `auths` and `credHelpers`.
@Suite(.serialized)
struct ConfigFileDockerParityTests {
    struct Start: Sendable, CustomTestStringConvertible {
        var name: String
        /// The file both tools start from, in the Docker CLI's member order.
        var text: String
        var testDescription: String { name }
    }

    static let otherAuth = Data("someone:secret".utf8).base64EncodedString()

    static let starts: [Start] = [
        Start(name: "logins beside helpers, proxies and formats with <, >, & and U+2028", text: """
            {
            \t"auths": {
            \t\t"127.0.0.1:1": {
            \t\t\t"auth": "\(otherAuth)"
            \t\t},
            \t\t"https://index.docker.io/v1/": {}
            \t},
            \t"psFormat": "table {{.ID}} <&> {{.Names}}",
            \t"credHelpers": {
            \t\t"a<b>&c.example": "none",
            \t\t"z.example": "none"
            \t},
            \t"proxies": {
            \t\t"default": {
            \t\t\t"httpProxy": "http://proxy.example:3128",
            \t\t\t"noProxy": "localhost,<local>&\\u003e,\u{2028}\u{2029}"
            \t\t}
            \t}
            }
            """),
        // No `auths` yet: the Docker CLI writes it first. (A helper entry
        // keeps the CLI from picking a default credential store.)
        Start(name: "no auths yet",
              text: #"{"credHelpers": {"x&y.example": "none"}, "plugins": {"p<1>": {"k": "v&"}}}"#),
    ]

    @Test(arguments: starts)
    func loginAndLogoutWriteWhatTheDockerCLIWrites(_ start: Start) throws {
        let (registry, docker, ko) = try LoginFixture.logInWithBoth(config: start.text)
        let dockerText = try docker.configText()
        // The Docker CLI stored into the file and escaped as Go does: otherwise this compares nothing.
        #expect(dockerText.contains(#""\#(registry.host)": {"#))
        #expect(dockerText.contains(#"\u0026"#) && dockerText.contains(#"\u003c"#))
        #expect(!dockerText.contains { "<>&\u{2028}\u{2029}".contains($0) })
        #expect(try ko.configText() == dockerText)

        let logout = ["logout", registry.host]
        let dockerLogout = try ProcessRunner.run("docker", logout, environment: docker.dockerCLIEnvironment)
        try #require(dockerLogout.status == 0, "docker logout: \(dockerLogout.errorOutput)")
        let koLogout = try ProcessRunner.run(Products.ko, logout, environment: ko.environment)
        try #require(koLogout.status == 0, "ko logout: \(koLogout.errorOutput)")
        #expect(try !docker.configText().contains(registry.host))
        #expect(try ko.configText() == docker.configText())
    }

    @Test func koContinuesAFileTheDockerCLIWrote() throws {
        // Both machines log in to the first registry with docker; then one
        // logs in to the second with docker, the other with ko.
        let first = try DockerLoginRegistry(), second = try DockerLoginRegistry()
        let dockerOnly = try LoginFixture.headless(config: Self.starts[0].text)
        let mixed = try LoginFixture.headless(config: Self.starts[0].text)
        func login(_ registry: DockerLoginRegistry) -> [String] {
            ["login", registry.host, "-u", registry.username, "--password-stdin"]
        }
        func input(_ registry: DockerLoginRegistry) -> [UInt8] { Array((registry.password + "\n").utf8) }

        for machine in [dockerOnly, mixed] {
            let result = try ProcessRunner.run("docker", login(first), input: input(first),
                                               environment: machine.dockerCLIEnvironment)
            try #require(result.status == 0, "docker login: \(result.errorOutput)")
        }
        let docker = try ProcessRunner.run("docker", login(second), input: input(second),
                                           environment: dockerOnly.dockerCLIEnvironment)
        try #require(docker.status == 0, "docker login: \(docker.errorOutput)")
        let ko = try ProcessRunner.run(Products.ko, login(second), input: input(second),
                                       environment: mixed.environment)
        try #require(ko.status == 0, "ko login: \(ko.errorOutput)")
        #expect(try mixed.configText() == dockerOnly.configText())
        #expect(try mixed.storedAuth(first.host)?.password == first.password)
        #expect(try mixed.storedAuth(second.host)?.password == second.password)
    }
}
