import Foundation
import Testing
import TestSupport

/// A login the registry refuses stores nothing: config.json stays the same
/// byte for byte, and the keyring keeps exactly the items it had.
@Suite(.serialized)
struct LoginRefusalTests {
    static let wrongPassword = "not-the-password-\(UUID().uuidString)"

    /// The names in the Docker config directory (a stray temporary or lock
    /// file would show that a write was started).
    func directoryListing(_ machine: LoginFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: machine.dockerConfig.path).sorted()
    }

    func expectRefused(_ result: ProcessResult, _ registry: RegistryFixture) {
        #expect(result.status == 1)
        #expect(result.output.isEmpty, "stdout: \(result.output)")
        #expect(result.errorOutput.contains("Error: login to \(registry.host) refused"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("nothing was stored"))
        #expect(!result.errorOutput.contains(LoginRefusalTests.wrongPassword))
    }

    @Test func aWrongPasswordLeavesConfigAuthsUnchangedByteForByte() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let other = Data("someone:their-password".utf8).base64EncodedString()
        let original = """
            {
              "auths": {"other.example:5000": {"auth": "\(other)"}},
              "psFormat": "table {{.ID}}",
              "HttpHeaders": {"X-Meta": "kept"}
            }

            """
        let machine = try LoginFixture.headless(config: original)
        let listing = try directoryListing(machine)

        let result = try machine.login(registry.host, username: try #require(registry.username),
                                       password: LoginRefusalTests.wrongPassword)
        expectRefused(result, registry)
        #expect(machine.configBytes() == Data(original.utf8))
        #expect(try directoryListing(machine) == listing)
    }

    @Test func aWrongPasswordCreatesNoConfigFile() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.headless()

        let result = try machine.login(registry.host, username: try #require(registry.username),
                                       password: LoginRefusalTests.wrongPassword)
        expectRefused(result, registry)
        #expect(try directoryListing(machine).isEmpty)
    }

    @Test func aWrongPasswordLeavesTheKeyringAndConfigUnchanged() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let earlier = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        try machine.login(earlier)
        let config = try #require(machine.configBytes())
        let items = try machine.keyringItems()
        let listing = try directoryListing(machine)

        let result = try machine.login(registry.host, username: try #require(registry.username),
                                       password: LoginRefusalTests.wrongPassword)
        expectRefused(result, registry)
        #expect(machine.configBytes() == config)
        #expect(try machine.keyringItems() == items)
        #expect(try directoryListing(machine) == listing)
        #expect(try machine.keyringSecret(registry.host) == nil)
    }

    @Test func aWrongPasswordKeepsTheCredentialThatWorked() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.keyring()
        try machine.login(registry)
        let config = try #require(machine.configBytes())

        let result = try machine.login(registry.host, username: try #require(registry.username),
                                       password: LoginRefusalTests.wrongPassword)
        expectRefused(result, registry)
        #expect(machine.configBytes() == config)
        #expect(try machine.keyringSecret(registry.host) == registry.password)
    }

    @Test func aTokenServerRefusalStoresNothing() throws {
        let registry = try RegistryFixture.start(auth: .token())
        let machine = try LoginFixture.keyring()
        let config = try #require(machine.configBytes())

        let result = try machine.login(registry.host, username: try #require(registry.username),
                                       password: LoginRefusalTests.wrongPassword)
        expectRefused(result, registry)
        #expect(machine.configBytes() == config)
        #expect(try machine.keyringItems().isEmpty)
    }

    @Test func anUnknownUserIsRefusedToo() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let machine = try LoginFixture.headless()

        let result = try machine.login(registry.host, username: "nobody",
                                       password: try #require(registry.password))
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("refused"))
        #expect(machine.configBytes() == nil)
    }

    @Test func anUnreachableRegistryStoresNothing() throws {
        let machine = try LoginFixture.keyring()
        let config = try #require(machine.configBytes())
        let port = try Ports.free()

        let result = try machine.login("127.0.0.1:\(port)", username: "someone",
                                       password: LoginRefusalTests.wrongPassword)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("cannot reach registry 127.0.0.1:\(port)"), "\(result.errorOutput)")
        #expect(machine.configBytes() == config)
        #expect(try machine.keyringItems().isEmpty)
    }
}
