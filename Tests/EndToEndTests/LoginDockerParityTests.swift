import Foundation
import Testing
import TestSupport

/// `ko login` and `ko logout` against the real Docker CLI (28.x): each case
/// runs both with the same arguments and input, checks that docker really
/// says what the table says, and that ko says the same with its own name.
@Suite(.serialized)
struct LoginDockerParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// The command line after the program name; `HOST` is the registry.
        var arguments: [String]
        /// What is piped to stdin; nil for no input at all (/dev/null).
        var input: String?
        /// What docker prints (stdout or stderr); ko prints it with "docker" replaced by "ko".
        var messages: [String]
        var succeeds = false

        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let nonTTY = "Cannot perform an interactive login from a non TTY device"
    static let passwordWarning = "WARNING! Using --password via the CLI is insecure. Use --password-stdin."

    static let cases: [Case] = [
        Case(arguments: ["login", "-u", "someone", "-p", "x", "--password-stdin", "HOST"], input: "pw",
             messages: ["conflicting options: cannot specify both --password and --password-stdin"]),
        Case(arguments: ["login", "--password-stdin", "HOST"], input: "pw",
             messages: ["the --password-stdin option requires --username to be set"]),
        Case(arguments: ["login", "HOST"], input: nil, messages: [nonTTY]),
        Case(arguments: ["login", "-u", "someone", "HOST"], input: nil, messages: [nonTTY]),
        // An empty password is no password.
        Case(arguments: ["login", "-u", "someone", "--password-stdin", "HOST"], input: "\n", messages: [nonTTY]),
        Case(arguments: ["login", "-p", "x", "HOST"], input: nil, messages: [passwordWarning, nonTTY]),
        Case(arguments: ["login", "one", "two"], input: nil, messages: ["'docker login' requires at most 1 argument"]),
        Case(arguments: ["logout", "one", "two"], input: nil,
             messages: ["'docker logout' requires at most 1 argument"]),
        Case(arguments: ["logout", "HOST"], input: nil, messages: ["Removing login credentials for HOST"],
             succeeds: true),
        Case(arguments: ["logout", "http://HOST/"], input: nil, messages: ["Removing login credentials for HOST"],
             succeeds: true),
        Case(arguments: ["logout"], input: nil,
             messages: ["Removing login credentials for https://index.docker.io/v1/"], succeeds: true),
    ]

    @Test(arguments: cases)
    func koSaysWhatDockerSays(_ example: Case) throws {
        let registry = try DockerLoginRegistry()
        let machine = try LoginFixture.keyring()
        let arguments = example.arguments.map { $0.replacingOccurrences(of: "HOST", with: registry.host) }
        let input = example.input.map { Array($0.utf8) }
        let environment = machine.environment.merging(["DOCKER_HOST": "unix:///nonexistent"]) { _, new in new }

        let docker = try ProcessRunner.run("docker", arguments, input: input, environment: environment)
        let ko = try ProcessRunner.run(Products.ko, arguments, input: input, environment: environment)
        #expect(docker.succeeded == example.succeeds, "docker: \(docker.output)\(docker.errorOutput)")
        #expect(ko.succeeded == example.succeeds, "ko: \(ko.output)\(ko.errorOutput)")
        for message in example.messages {
            let expected = message.replacingOccurrences(of: "HOST", with: registry.host)
            #expect((docker.output + docker.errorOutput).contains(expected), "docker said: \(docker.errorOutput)")
            let ours = expected.replacingOccurrences(of: "'docker ", with: "'ko ")
            #expect((ko.output + ko.errorOutput).contains(ours), "ko said: \(ko.errorOutput)")
        }
        // Results on stdout, everything else on stderr, as docker does.
        if example.succeeds { #expect(ko.output == docker.output) }
    }

    @Test func bothReadTheSameLoginAndOneLogoutErasesForBoth() throws {
        let registry = try DockerLoginRegistry()
        let machine = try LoginFixture.keyring()
        let environment = machine.environment.merging(["DOCKER_HOST": "unix:///nonexistent"]) { _, new in new }

        // A password with a trailing carriage return and newline, as typed on Windows.
        let piped = Array((registry.password + "\r\n").utf8)
        let docker = try ProcessRunner.run("docker", ["login", registry.host, "-u", registry.username,
                                                      "--password-stdin"], input: piped, environment: environment)
        #expect(docker.status == 0, "docker login: \(docker.errorOutput)")
        let ko = try ProcessRunner.run(Products.ko, ["login", registry.host, "-u", registry.username,
                                                     "--password-stdin"], input: piped, environment: environment)
        #expect(ko.status == 0, "ko login: \(ko.errorOutput)")
        #expect(ko.output == docker.output)
        #expect(try machine.keyringServers() == [registry.host])
        #expect(try machine.keyringSecret(registry.host) == registry.password)

        // docker login without flags re-uses the stored login; so does ko.
        let again = try machine.ko(["login", registry.host])
        #expect(again.status == 0, "ko login: \(again.errorOutput)")
        #expect(again.output == "Login Succeeded\n")
        #expect(again.errorOutput.contains(
            "Authenticating with existing credentials... [Username: \(registry.username)]"))

        let logout = try ProcessRunner.run("docker", ["logout", registry.host], environment: environment)
        #expect(logout.status == 0)
        #expect(try machine.keyringItems().isEmpty)
        let afterwards = try machine.ko(["login", registry.host])
        #expect(afterwards.status == 1)
        #expect(afterwards.errorOutput.contains(LoginDockerParityTests.nonTTY))
    }
}
