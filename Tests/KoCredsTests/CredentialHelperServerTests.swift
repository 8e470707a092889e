import Testing
@testable import KoCreds
@testable import KoKeyring

/// A store in memory, for protocol tests that need no keyring.
final class MemoryCredentialStore: CredentialStore, @unchecked Sendable {
    var entries: [String: Credential] = [:]
    var failure: Error?

    func store(_ credential: Credential, forServer server: String) throws {
        if let failure { throw failure }
        entries[server] = credential
    }

    func credential(forServer server: String) throws -> Credential? {
        if let failure { throw failure }
        return entries[server]
    }

    func erase(server: String) throws {
        if let failure { throw failure }
        entries[server] = nil
    }

    func list() throws -> [String: String] {
        if let failure { throw failure }
        return entries.mapValues(\.username)
    }
}

/// An exchange that answers for one registry and records what it was asked.
final class FixedExchange: CredentialExchange, @unchecked Sendable {
    let registry: String
    let credential: Credential
    var asked: [String] = []

    init(registry: String, credential: Credential) {
        self.registry = registry
        self.credential = credential
    }

    func credential(forRegistry registry: String) throws -> Credential? {
        asked.append(registry)
        return registry == self.registry ? credential : nil
    }
}

struct CredentialHelperServerTests {
    private func respond(_ server: CredentialHelperServer, _ action: String, _ input: String = "")
        -> CredentialHelperServer.Response {
        server.respond(to: [action]) { Array(input.utf8) }
    }

    @Test func storeGetListEraseRoundTrip() {
        let store = MemoryCredentialStore()
        let server = CredentialHelperServer(store: store, version: "1.2.3")
        let stored = respond(server, "store", #"{"ServerURL":"r.example","Username":"u","Secret":"s"}"#)
        #expect(stored == .init(output: "", status: 0))
        #expect(respond(server, "get", "r.example\n") == .init(
            output: #"{"ServerURL":"r.example","Username":"u","Secret":"s"}"#, status: 0))
        #expect(respond(server, "list") == .init(output: #"{"r.example":"u"}"#, status: 0))
        #expect(respond(server, "erase", "r.example") == .init(output: "", status: 0))
        #expect(respond(server, "list") == .init(output: "{}", status: 0))
    }

    @Test func errorsAreWordedAsDockerHelpersWordThem() {
        let server = CredentialHelperServer(store: MemoryCredentialStore(), version: "1")
        #expect(respond(server, "get", "nowhere.example") ==
            .init(output: "credentials not found in native keychain", status: 1))
        #expect(respond(server, "get", " \n") == .init(output: "no credentials server URL", status: 1))
        #expect(respond(server, "erase", "") == .init(output: "no credentials server URL", status: 1))
        #expect(respond(server, "store", #"{"ServerURL":"","Username":"u","Secret":"s"}"#) ==
            .init(output: "no credentials server URL", status: 1))
        #expect(respond(server, "store", #"{"ServerURL":"r","Username":"","Secret":"s"}"#) ==
            .init(output: "no credentials username", status: 1))
        #expect(respond(server, "frobnicate") == .init(output: "Unknown credential action `frobnicate`", status: 1))
        #expect(respond(server, "version").output == "docker-credential-ko (ko) 1")
        #expect(respond(server, "--version").status == 0)
        let usage = "Usage: docker-credential-ko <store|get|erase|list|version>"
        #expect(respond(server, "--help").output.hasPrefix(usage))
        #expect(server.respond(to: []) { [] }.status == 1)
    }

    @Test func identityTokenUsernameRoundTripsUntouched() {
        let store = MemoryCredentialStore()
        let server = CredentialHelperServer(store: store, version: "1")
        // Go helpers escape '<' and '>'; both spellings must be read, and
        // ours answers in theirs.
        _ = respond(server, "store", #"{"ServerURL":"a","Username":"\u003ctoken\u003e","Secret":"refresh"}"#)
        #expect(store.entries["a"] == .identityToken("refresh"))
        _ = respond(server, "store", #"{"ServerURL":"b","Username":"<token>","Secret":"again"}"#)
        #expect(store.entries["b"] == .identityToken("again"))
        #expect(respond(server, "get", "a").output
            == #"{"ServerURL":"a","Username":"\u003ctoken\u003e","Secret":"refresh"}"#)
    }

    @Test func memberNamesMatchWithoutCaseAsGoDecodes() {
        let store = MemoryCredentialStore()
        let server = CredentialHelperServer(store: store, version: "1")
        #expect(respond(server, "store", #"{"serverurl":"b","username":"u","secret":"s","Extra":1}"#).status == 0)
        #expect(store.entries["b"] == Credential(username: "u", secret: "s"))
    }

    @Test func malformedStoreInputShowsOnlyThePosition() {
        let server = CredentialHelperServer(store: MemoryCredentialStore(), version: "1")
        let response = respond(server, "store", #"{"ServerURL":"r","Username":"u","Secret":"hunter2"#)
        #expect(response.status == 1)
        #expect(response.output.hasPrefix("invalid credentials JSON on stdin at line 1"))
        #expect(!response.output.contains("hunter2"))
    }

    @Test func getFallsBackToExchangesAndSurvivesAnUnreachableStore() {
        let store = MemoryCredentialStore()
        let exchange = FixedExchange(registry: "123.dkr.ecr.example",
                                     credential: Credential(username: "AWS", secret: "t"))
        let server = CredentialHelperServer(store: store, exchanges: [exchange], version: "1")
        #expect(respond(server, "get", "https://123.dkr.ecr.example").output
            == #"{"ServerURL":"https://123.dkr.ecr.example","Username":"AWS","Secret":"t"}"#)
        #expect(exchange.asked == ["123.dkr.ecr.example"])

        store.failure = KeyringError.noSessionBus
        #expect(respond(server, "get", "123.dkr.ecr.example").status == 0)
        let missing = respond(server, "get", "other.example")
        #expect(missing.status == 1 && missing.output.hasPrefix("no D-Bus session bus"))
        #expect(!missing.output.contains("\n"))
    }

    @Test func listAndVersionNeverReadStandardInput() {
        let server = CredentialHelperServer(store: MemoryCredentialStore(), version: "1")
        for action in ["list", "version"] {
            _ = server.respond(to: [action]) {
                Issue.record("\(action) read stdin")
                return []
            }
        }
    }
}
