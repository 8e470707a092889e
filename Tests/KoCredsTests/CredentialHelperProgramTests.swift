import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

struct CredentialHelperProgramTests {
    @Test func drivesTheRealSecretserviceHelper() throws {
        let session = try KeyringSession()
        let helper = CredentialHelperProgram(name: "secretservice", environment: session.environment())
        let server = "client-\(UUID().uuidString.prefix(8)).example"
        try helper.store(Credential(username: "ursula", secret: "client-secret"), forServer: server)
        #expect(try helper.credential(forServer: server) == Credential(username: "ursula", secret: "client-secret"))
        #expect(try helper.list()[server] == "ursula")
        try helper.store(.identityToken("id-token"), forServer: server + "2")
        #expect(try helper.credential(forServer: server + "2") == .identityToken("id-token"))
        try helper.erase(server: server)
        try helper.erase(server: server + "2")
        // "credentials not found in native keychain" is no credential, not an error.
        #expect(try helper.credential(forServer: server) == nil)
    }

    @Test func secretsTravelOnlyOverStandardInput() throws {
        let fake = try FakeCredentialHelper(name: "recorder",
                                            getReply: #"{"ServerURL":"s","Username":"u","Secret":"got-secret"}"#)
        let helper = CredentialHelperProgram(name: "recorder", searchPath: fake.searchPath)
        try helper.store(Credential(username: "u", secret: "stored-secret"), forServer: "r.example")
        #expect(try helper.credential(forServer: "r.example") == Credential(username: "u", secret: "got-secret"))
        #expect(fake.inputs == [#"store {"ServerURL":"r.example","Username":"u","Secret":"stored-secret"}"#,
                                "get r.example"])
        #expect(fake.arguments == "store\nget\n")
        #expect(!fake.environment.contains("stored-secret") && !fake.environment.contains("got-secret"))
    }

    @Test func aGivenEnvironmentIsExactlyWhatTheHelperSees() throws {
        let fake = try FakeCredentialHelper(name: "recorder")
        let helper = CredentialHelperProgram(name: "recorder", environment: [
            "PATH": fake.searchPath + ":/usr/bin:/bin", "KO_TEST_MARKER": "marker-value",
        ])
        #expect(try helper.credential(forServer: "r.example") == nil)
        #expect(fake.environment.contains("KO_TEST_MARKER=marker-value"))
        #expect(!fake.environment.contains("HOME="))
    }

    @Test func aMissingHelperIsNamed() {
        let helper = CredentialHelperProgram(name: "ko-test-absent", searchPath: "/nonexistent")
        #expect(throws: CredentialHelperError.notInstalled(program: "docker-credential-ko-test-absent")) {
            try helper.credential(forServer: "r.example")
        }
    }

    @Test func aHangingHelperIsStopped() throws {
        let fake = try FakeCredentialHelper(name: "hang", body: "#!/bin/sh\nexec sleep 600\n")
        let helper = CredentialHelperProgram(name: "hang", timeout: 1, searchPath: fake.searchPath)
        #expect(throws: CredentialHelperError.timedOut(program: "docker-credential-hang", action: "get", seconds: 1)) {
            try helper.credential(forServer: "r.example")
        }
    }

    @Test func failuresCarryTheHelpersFirstLineWithoutTheSecret() throws {
        let fake = try FakeCredentialHelper(name: "grumpy", body: """
            #!/bin/sh
            input=$(cat)
            echo "cannot store: $input"
            echo "second line"
            exit 1
            """)
        let helper = CredentialHelperProgram(name: "grumpy", searchPath: fake.searchPath)
        do {
            try helper.store(Credential(username: "u", secret: "leaky-secret"), forServer: "r.example")
            Issue.record("store succeeded")
        } catch let error as CredentialHelperError {
            guard case let .failed(program, action, message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(program == "docker-credential-grumpy" && action == "store")
            #expect(message.hasPrefix("cannot store: "))
            #expect(!message.contains("leaky-secret") && !message.contains("second line"))
        }
    }

    @Test func aHelperThatIgnoresItsInputDoesNotKillUs() throws {
        let fake = try FakeCredentialHelper(name: "deaf", body: "#!/bin/sh\nexec 0<&-\necho '{}'\n")
        let helper = CredentialHelperProgram(name: "deaf", searchPath: fake.searchPath)
        let big = String(repeating: "x", count: 1 << 20)
        try helper.store(Credential(username: "u", secret: big), forServer: "r.example")
        #expect(try helper.list().isEmpty)
    }

    @Test func unreadableAnswersAreReportedWithoutQuotingThem() throws {
        let fake = try FakeCredentialHelper(name: "garbled", getReply: "Secret: not-json-secret")
        let helper = CredentialHelperProgram(name: "garbled", searchPath: fake.searchPath)
        do {
            _ = try helper.credential(forServer: "r.example")
            Issue.record("garbage was accepted")
        } catch {
            #expect(!"\(error)".contains("not-json-secret"))
        }
    }
}
