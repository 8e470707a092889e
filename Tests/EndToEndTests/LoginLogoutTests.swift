import Foundation
import Testing
import TestSupport

/// `ko logout` erases from where `ko login` stored: config.json auths (every
/// spelling of the host), the keyring behind `credsStore`/`credHelpers` set
/// to `ko`, or an external helper named in `credHelpers`; nothing else.
@Suite(.serialized)
struct LoginLogoutTests {
    static func auth(_ user: String, _ password: String) -> String {
        Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func logoutErasesEverySpellingFromAuthsAndNothingElse() throws {
        let host = "127.0.0.1:\(try Ports.free())"
        let entry = #"{"auth":"\#(Self.auth("someone", "secret"))"}"#
        let machine = try LoginFixture.headless(config: """
            {"auths": {"\(host)": \(entry), "http://\(host)": \(entry), "https://\(host)/": \(entry),
                       "\(host)/team": \(entry), "other.example:5000": \(entry)},
             "psFormat": "table {{.ID}}"}
            """)

        let result = try machine.ko(["logout", host])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output == "Removing login credentials for \(host)\n")
        #expect(result.errorOutput.isEmpty)
        // A repository-scoped entry is another login (docker keeps it too).
        #expect(Set(try machine.auths().keys) == ["\(host)/team", "other.example:5000"])
        #expect(try machine.config()["psFormat"] as? String == "table {{.ID}}")
    }

    @Test func logoutErasesTheKeyringEntryAndItsAuthsMarker() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let other = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        try machine.login(registry)
        try machine.login(other)
        #expect(try machine.keyringServers() == [registry.host, other.host].sorted())

        let result = try machine.ko(["logout", "https://\(registry.host)"])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output == "Removing login credentials for \(registry.host)\n")
        #expect(try machine.keyringServers() == [other.host])
        #expect(Set(try machine.auths().keys) == [other.host])
        #expect(try machine.keyringSecret(other.host) == other.password)
    }

    @Test func credHelpersDecideWhichStoreALoginAndLogoutUse() throws {
        // One registry in our keyring code, one through the external
        // docker-credential-secretservice (a child process), and the
        // credsStore for everything else: config.json must hold no secret.
        let ours = try RegistryFixture.start(auth: .basic())
        let theirs = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring(config: """
            {"credsStore": "desktop-that-is-not-installed",
             "credHelpers": {"\(ours.host)": "ko", "\(theirs.host)": "secretservice"}}
            """)
        try machine.login(ours)
        try machine.login(theirs)
        #expect(try machine.keyringServers() == [ours.host, theirs.host].sorted())
        let config = String(decoding: try #require(machine.configBytes()), as: UTF8.self)
        let secrets = [try #require(ours.password), try #require(theirs.password)]
        #expect(secrets.allSatisfy { !config.contains($0) })

        // secretservice's own `get` finds what ko stored through it.
        let fromHelper = try ProcessRunner.run("docker-credential-secretservice", ["get"],
                                               input: Array(theirs.host.utf8), environment: machine.environment)
        #expect(fromHelper.status == 0 && fromHelper.output.contains(secrets[1]))

        #expect(try machine.ko(["logout", theirs.host]).status == 0)
        #expect(try machine.keyringServers() == [ours.host])
        #expect(try machine.ko(["logout", ours.host]).status == 0)
        #expect(try machine.keyringItems().isEmpty)
        #expect(try machine.auths().isEmpty)
    }

    @Test func logoutOfARegistryNeverLoggedInToChangesNothing() throws {
        let original = #"{"auths": {"other.example:5000": {"auth": "\#(Self.auth("a", "b"))"}}}"#
        let machine = try LoginFixture.headless(config: original)

        let result = try machine.ko(["logout", "127.0.0.1:1"])
        #expect(result.status == 0)
        #expect(result.output == "Removing login credentials for 127.0.0.1:1\n")
        #expect(Set(try machine.auths().keys) == ["other.example:5000"])
    }

    @Test func aKeyringThatCannotBeReachedIsAWarningAsInDocker() throws {
        // credsStore "ko" on a machine without a session bus.
        let entry = #"{"auths": {"127.0.0.1:1": {}}, "credsStore": "ko"}"#
        let machine = try LoginFixture.headless(config: entry)

        let result = try machine.ko(["logout", "127.0.0.1:1"])
        #expect(result.status == 0)
        #expect(result.output == "Removing login credentials for 127.0.0.1:1\n")
        #expect(result.errorOutput.contains("WARNING: could not erase credentials:"))
        #expect(result.errorOutput.contains("no D-Bus session bus"))
        #expect(machine.configBytes() == Data(entry.utf8))
    }

    @Test func aMalformedConfigIsAnErrorForLoginAndLogout() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let broken = #"{"auths": "#
        let machine = try LoginFixture.headless(config: broken)

        let logout = try machine.ko(["logout", registry.host])
        #expect(logout.status == 1)
        #expect(logout.errorOutput.contains("is not valid JSON"))
        let login = try machine.login(registry.host, username: try #require(registry.username),
                                      password: try #require(registry.password))
        #expect(login.status == 1)
        #expect(login.errorOutput.contains("is not valid JSON"), "\(login.errorOutput)")
        #expect(!login.output.contains("Login Succeeded"))
        #expect(machine.configBytes() == Data(broken.utf8))
    }
}
