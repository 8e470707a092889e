import Foundation
import Testing
import TestSupport

/// `ko login` on a terminal asks for what the command line did not give, as
/// `docker login` does: the username shown as typed, the password not echoed.
/// A pseudo-terminal (Python's `pty`) plays the user.
@Suite(.serialized)
struct LoginPromptTests {
    /// Runs the command after `--` in a pseudo-terminal; reads the answers to
    /// type from its own stdin (one per line, never on a command line), types
    /// each after its prompt appears, and prints the exit status and the
    /// terminal transcript as JSON.
    static let driver = #"""
        import json, os, pty, select, sys, time

        answers = [line.rstrip("\n") for line in sys.stdin]
        prompts = [p.encode() for p in sys.argv[1].split("|")]
        command = sys.argv[3:]
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(command[0], command)
        transcript = b""
        deadline = time.time() + 120
        step = 0
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                transcript += chunk
            if step < len(prompts) and transcript.endswith(prompts[step]):
                os.write(fd, answers[step].encode() + b"\n")
                step += 1
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status),
                          "transcript": transcript.decode("utf-8", "replace")}))
        """#

    struct Session {
        var status: Int
        var transcript: String
    }

    /// Runs `ko arguments` on a terminal, answering `prompts` with `answers`.
    static func onTerminal(_ machine: LoginFixture, _ arguments: [String], prompts: [String],
                           answers: [String]) throws -> Session {
        let scripts = try TemporaryDirectory("ko-pty")
        let driver = try scripts.write("driver.py", LoginPromptTests.driver)
        let result = try ProcessRunner.run("python3", [driver, prompts.joined(separator: "|"), "--", Products.ko]
                                                      + arguments,
                                           input: Array((answers.joined(separator: "\n") + "\n").utf8),
                                           environment: machine.environment)
        try #require(result.status == 0, "pty driver failed: \(result.errorOutput)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any]
        return Session(status: try #require(object?["status"] as? Int),
                       transcript: try #require(object?["transcript"] as? String))
    }

    @Test func usernameAndPasswordAreAskedForAndThePasswordIsNotEchoed() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        let username = try #require(registry.username)
        let password = try #require(registry.password)

        let session = try Self.onTerminal(machine, ["login", registry.host], prompts: ["Username: ", "Password: "],
                                          answers: [username, password])
        #expect(session.status == 0, "transcript: \(session.transcript)")
        #expect(session.transcript.contains("Username: \(username)"))
        #expect(session.transcript.contains("Login Succeeded"))
        #expect(!session.transcript.contains(password), "the password was echoed")
        #expect(try machine.keyringSecret(registry.host) == password)
    }

    @Test func aGivenUsernameOnlyAsksForThePassword() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        let password = try #require(registry.password)

        let session = try Self.onTerminal(machine, ["login", "-u", try #require(registry.username), registry.host],
                                          prompts: ["Password: "], answers: [password])
        #expect(session.status == 0, "transcript: \(session.transcript)")
        #expect(!session.transcript.contains("Username"))
        #expect(!session.transcript.contains(password))
        #expect(try machine.keyringSecret(registry.host) == password)
    }

    @Test func aRefusedStoredLoginAsksAgainWithTheStoredUsernameAsDefault() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        let username = try #require(registry.username)
        let password = try #require(registry.password)
        // A stale password in the keyring, stored by the helper directly.
        let stale = #"{"ServerURL":"\#(registry.host)","Username":"\#(username)","Secret":"stale-password"}"#
        try ProcessRunner.check(Products.credentialHelper, ["store"], input: Array(stale.utf8),
                                environment: machine.environment)

        let session = try Self.onTerminal(machine, ["login", registry.host],
                                          prompts: ["Username (\(username)): ", "Password: "],
                                          answers: ["", password])
        #expect(session.status == 0, "transcript: \(session.transcript)")
        #expect(session.transcript.contains("Authenticating with existing credentials... [Username: \(username)]"))
        #expect(session.transcript.contains("Stored credentials invalid or expired"))
        #expect(try machine.keyringSecret(registry.host) == password)
    }

    @Test func nothingTypedIsRefusedAsDockerRefusesIt() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()

        let session = try Self.onTerminal(machine, ["login", registry.host], prompts: ["Username: "], answers: [""])
        #expect(session.status == 1)
        #expect(session.transcript.contains("Error: Non-null Username Required"))
        #expect(try machine.keyringItems().isEmpty)
    }
}
