import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

struct DockerCredentialResolverTests {
    private func config(_ json: String) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("ko-resolve")
        return (directory, try directory.write("config.json", json, mode: 0o600))
    }

    private func resolver(_ path: String, searchPath: String = "/nonexistent",
                          exchanges: [CredentialExchange] = [],
                          keyring: CredentialStore = MemoryCredentialStore()) throws -> DockerCredentialResolver {
        // Helpers see only this environment; the fake ones need the shell tools.
        try DockerCredentialResolver(configPath: path, environment: ["PATH": searchPath + ":/usr/bin:/bin"],
                                     exchanges: exchanges, keyring: keyring)
    }

    @Test func credHelpersWinAndGetTheRegistryKey() throws {
        let fake = try FakeCredentialHelper(name: "team", getReply: #"{"ServerURL":"x","Username":"t","Secret":"ts"}"#)
        let (directory, path) = try config("""
            {"credsStore":"ko","credHelpers":{"HTTPS://Private.Example:5000":"team"},
             "auths":{"private.example:5000":{"auth":"cGxhaW46dGV4dA=="}}}
            """)
        let found = try resolver(path, searchPath: fake.searchPath).credential(forRegistry: "private.example:5000")
        #expect(found == Credential(username: "t", secret: "ts"))
        #expect(fake.inputs == ["get private.example:5000"])
        withExtendedLifetime(directory) {}
    }

    @Test func credsStoreKoUsesTheKeyringInProcess() throws {
        _ = try KeyringSession.sharedInProcess()
        let server = "inproc-\(UUID().uuidString.prefix(8)).example:5000"
        let keyring = KeyringStore()
        try keyring.store(Credential(username: "kim", secret: "keyring-secret"), forServer: server)
        defer { try? keyring.erase(server: server) }
        let (directory, path) = try config(#"{"credsStore":"ko"}"#)
        // No docker-credential-ko on this PATH: the keyring is used without a child process.
        let found = try resolver(path, keyring: keyring).credential(forRegistry: server.uppercased())
        #expect(found == Credential(username: "kim", secret: "keyring-secret"))
        withExtendedLifetime(directory) {}
    }

    @Test(arguments: [
        ("r.example", "r.example"),
        ("https://r.example", "r.example"),
        ("http://R.Example/", "r.example"),
        ("https://r.example/v1/", "r.example"),
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("https://index.docker.io/v1/", "docker.io"),
        ("https://index.docker.io/v1/", "registry-1.docker.io"),
        ("index.docker.io", "docker.io"),
        ("r.example/some/namespace", "r.example"),
    ])
    func authsAcceptTheSpellingsTheDockerCLIAccepts(key: String, registry: String) throws {
        let (directory, path) = try config(#"{"auths":{"\#(key)":{"auth":"dTpw"}}}"#)
        #expect(try resolver(path).credential(forRegistry: registry) == Credential(username: "u", secret: "p"))
        withExtendedLifetime(directory) {}
    }

    @Test func theExactAuthsKeyBeatsOtherSpellings() throws {
        let (directory, path) = try config("""
            {"auths":{"https://r.example":{"auth":"b3RoZXI6eA=="},"r.example/ns":{"auth":"bnM6eA=="},
                      "r.example":{"identitytoken":"exact-token"}}}
            """)
        #expect(try resolver(path).credential(forRegistry: "r.example") == .identityToken("exact-token"))
        withExtendedLifetime(directory) {}
    }

    @Test func exchangesComeAfterStoredCredentials() throws {
        let minted = Credential(username: "AWS", secret: "minted")
        let exchange = FixedExchange(registry: "123.dkr.ecr.example", credential: minted)
        let (directory, path) = try config(#"{"auths":{"stored.example":{"auth":"dTpw"}}}"#)
        let resolver = try resolver(path, exchanges: [exchange])
        #expect(try resolver.credential(forRegistry: "stored.example") == Credential(username: "u", secret: "p"))
        #expect(exchange.asked.isEmpty)
        #expect(try resolver.credential(forRegistry: "123.dkr.ecr.example") == minted)
        #expect(try resolver.credential(forRegistry: "anonymous.example") == nil)
        withExtendedLifetime(directory) {}
    }

    @Test func aBrokenHelperFallsBackThenReportsItself() throws {
        let (directory, path) = try config("""
            {"credsStore":"ko-test-absent","auths":{"fallback.example":{"auth":"dTpw"}}}
            """)
        let resolver = try resolver(path)
        #expect(try resolver.credential(forRegistry: "fallback.example") == Credential(username: "u", secret: "p"))
        #expect(throws: CredentialHelperError.notInstalled(program: "docker-credential-ko-test-absent")) {
            try resolver.credential(forRegistry: "elsewhere.example")
        }
        withExtendedLifetime(directory) {}
    }

    @Test func anEmptyConfigUsesTheDetectedDefaultHelperLikeDocker() throws {
        let fake = try FakeCredentialHelper(name: "secretservice",
                                            getReply: #"{"ServerURL":"x","Username":"d","Secret":"detected"}"#)
        let directory = try TemporaryDirectory("ko-resolve")
        let path = directory.path + "/config.json"
        let withBus = ["PATH": fake.searchPath + ":/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"]
        let found = try DockerCredentialResolver(configPath: path, environment: withBus,
                                                 keyring: MemoryCredentialStore())
            .credential(forRegistry: "docker.io")
        #expect(found == Credential(username: "d", secret: "detected"))
        #expect(fake.inputs == ["get https://index.docker.io/v1/"])

        // Without a session bus secretservice cannot work: nothing is asked.
        let headless = ["PATH": fake.searchPath + ":/usr/bin:/bin"]
        #expect(try DockerCredentialResolver(configPath: path, environment: headless, keyring: MemoryCredentialStore())
            .credential(forRegistry: "docker.io") == nil)
        #expect(fake.inputs.count == 1)
    }

    @Test func aMalformedConfigIsAnErrorNotAnonymous() throws {
        let (directory, path) = try config("{\"auths\": {")
        #expect(throws: ConfigFileError.self) { try resolver(path).credential(forRegistry: "r.example") }
        withExtendedLifetime(directory) {}
    }
}
