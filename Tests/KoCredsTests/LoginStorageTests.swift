import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

struct LoginStorageTests {
    private func storage(_ directory: TemporaryDirectory, searchPath: String = "/nonexistent",
                         keyring: CredentialStore = MemoryCredentialStore(),
                         extra: [String: String] = [:]) throws -> LoginStorage {
        // Helpers see only this environment; the fake ones need the shell tools.
        let environment = ["PATH": searchPath + ":/usr/bin:/bin"].merging(extra) { _, new in new }
        return try LoginStorage(configPath: directory.path + "/config.json", environment: environment,
                                keyring: keyring)
    }

    private func text(_ directory: TemporaryDirectory) throws -> String {
        try String(contentsOfFile: directory.path + "/config.json", encoding: .utf8)
    }

    @Test func withoutHelpersCredentialsGoToAuthsWithDockersWarning() throws {
        let directory = try TemporaryDirectory("ko-login")
        let storage = try storage(directory)
        let outcome = try storage.store(Credential(username: "u", secret: "p"),
                                        forRegistry: "https://R.Example:5000/v2/")
        #expect(outcome.server == "r.example:5000")
        #expect(outcome.place == .configFile(path: storage.configPath))
        #expect(outcome.warning == """
            WARNING! Your credentials are stored unencrypted in '\(storage.configPath)'.
            Configure a credential helper to remove this warning. See
            https://docs.docker.com/go/credential-store/
            """)
        #expect(try text(directory)
            == "{\n\t\"auths\": {\n\t\t\"r.example:5000\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t}\n\t}\n}")

        let logout = try storage.erase(registry: "r.example:5000")
        #expect(logout.removed)
        #expect(try text(directory) == "{\n\t\"auths\": {}\n}")
        #expect(try storage.erase(registry: "r.example:5000").removed == false)
    }

    @Test func dockerHubIsKeyedByTheIndexURL() throws {
        let directory = try TemporaryDirectory("ko-login")
        let outcome = try storage(directory).store(.identityToken("refresh"), forRegistry: "docker.io")
        #expect(outcome.server == "https://index.docker.io/v1/")
        let config = try DockerConfigFile.load(path: directory.path + "/config.json")
        #expect(try config.authKeys() == ["https://index.docker.io/v1/"])
    }

    @Test func credsStoreKoKeepsTheSecretInTheKeyringOnly() throws {
        _ = try KeyringSession.sharedInProcess()
        let server = "login-\(UUID().uuidString.prefix(8).lowercased()).example"
        let directory = try TemporaryDirectory("ko-login")
        // A plaintext copy from before, under another spelling of the registry.
        let before = #"{"credsStore":"ko","auths":{"https://\#(server)":{"auth":"b2xkOnBsYWlu"}}}"#
        try directory.write("config.json", before, mode: 0o600)
        let keyring = KeyringStore()
        let storage = try storage(directory, keyring: keyring)

        let outcome = try storage.store(Credential(username: "kay", secret: "in-keyring"), forRegistry: server)
        #expect(outcome == .init(server: server, place: .keyring, warning: nil))
        #expect(try keyring.credential(forServer: server) == Credential(username: "kay", secret: "in-keyring"))
        // As the Docker CLI leaves it: an empty entry; and the plaintext copy is gone.
        #expect(try text(directory) == "{\n\t\"credsStore\": \"ko\",\n\t\"auths\": {\n\t\t\"https://\(server)\": {},"
            + "\n\t\t\"\(server)\": {}\n\t}\n}")

        let logout = try storage.erase(registry: server)
        #expect(logout == .init(server: server, place: .keyring, removed: true))
        #expect(try keyring.credential(forServer: server) == nil)
        #expect(try text(directory) == "{\n\t\"credsStore\": \"ko\",\n\t\"auths\": {}\n}")
    }

    @Test func aCredHelperEntryTakesTheLoginAndTheLogout() throws {
        let fake = try FakeCredentialHelper(name: "team", getReply: #"{"ServerURL":"x","Username":"u","Secret":"s"}"#)
        let directory = try TemporaryDirectory("ko-login")
        try directory.write("config.json", #"{"credsStore":"ko","credHelpers":{"team.example":"team"}}"#, mode: 0o600)
        let storage = try storage(directory, searchPath: fake.searchPath)
        let outcome = try storage.store(Credential(username: "u", secret: "helper-secret"),
                                        forRegistry: "team.example")
        #expect(outcome.place == .credentialHelper("team"))
        #expect(fake.inputs == [#"store {"ServerURL":"team.example","Username":"u","Secret":"helper-secret"}"#])
        #expect(!(try text(directory)).contains("helper-secret"))

        let logout = try storage.erase(registry: "team.example")
        #expect(logout.removed && logout.place == .credentialHelper("team"))
        #expect(fake.inputs.contains("erase team.example") && fake.inputs.contains("erase https://team.example"))
    }

    @Test func headlessMachinesFallBackToAuthsInsteadOfAnUnreachableKeyring() throws {
        let fake = try FakeCredentialHelper(name: "secretservice")
        let directory = try TemporaryDirectory("ko-login")
        let outcome = try storage(directory, searchPath: fake.searchPath)
            .store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
        #expect(outcome.place == .configFile(path: directory.path + "/config.json") && outcome.warning != nil)
        #expect(fake.inputs.isEmpty)
    }

    @Test func aDetectedDefaultStoreIsRecordedAsTheDockerCLIDoes() throws {
        let fake = try FakeCredentialHelper(name: "secretservice")
        let directory = try TemporaryDirectory("ko-login")
        let outcome = try storage(directory, searchPath: fake.searchPath,
                                  extra: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"])
            .store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
        #expect(outcome.place == .credentialHelper("secretservice"))
        let config = try DockerConfigFile.load(path: directory.path + "/config.json")
        #expect(try config.credentialsStore() == "secretservice")
    }
}
