import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

/// The built `docker-credential-ko` against a real gnome-keyring, and beside
/// the real `docker-credential-secretservice`.
struct KeyringHelperTests {
    static let ours = Products.credentialHelper
    static let theirs = "docker-credential-secretservice"

    private func run(_ program: String, _ action: String, _ input: String = "", in session: KeyringSession,
                     extra: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(program, [action], input: Array(input.utf8),
                              environment: session.environment(adding: extra))
    }

    private func storeJSON(_ server: String, _ username: String, _ secret: String) -> String {
        CredentialHelperProtocol.credentialsJSON(server: server,
                                                 credential: Credential(username: username, secret: secret))
    }

    @Test func storeGetListEraseRoundTrip() throws {
        let session = try KeyringSession()
        let stored = try run(Self.ours, "store", storeJSON("127.0.0.1:5000", "alice", "s3cret-one"), in: session)
        #expect(stored.status == 0 && stored.output.isEmpty && stored.errorOutput.isEmpty)

        let got = try run(Self.ours, "get", "127.0.0.1:5000", in: session)
        #expect(got.status == 0)
        #expect(got.output == #"{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cret-one"}"# + "\n")

        let listed = try run(Self.ours, "list", in: session)
        #expect(listed.output == #"{"127.0.0.1:5000":"alice"}"# + "\n")
        #expect(!listed.output.contains("s3cret") && listed.errorOutput.isEmpty)

        #expect(try run(Self.ours, "erase", "127.0.0.1:5000", in: session).status == 0)
        let gone = try run(Self.ours, "get", "127.0.0.1:5000", in: session)
        #expect(gone.status == 1 && gone.output == "credentials not found in native keychain\n")
        #expect(try run(Self.ours, "list", in: session).output == "{}\n")
    }

    @Test func identityTokenUsernameRoundTrips() throws {
        let session = try KeyringSession()
        _ = try run(Self.ours, "store", storeJSON("ghcr.example", "<token>", "refresh-token"), in: session)
        let got = try run(Self.ours, "get", "ghcr.example", in: session)
        // Escaped as Go's encoder escapes it, which every docker helper uses.
        #expect(got.output
            == #"{"ServerURL":"ghcr.example","Username":"\u003ctoken\u003e","Secret":"refresh-token"}"# + "\n")
        #expect(try run(Self.ours, "list", in: session).output == #"{"ghcr.example":"\u003ctoken\u003e"}"# + "\n")
    }

    @Test func answersAreByteForByteWhatDockerCredentialSecretserviceAnswers() throws {
        let session = try KeyringSession()
        // Characters Go escapes (<, >, &, U+2028) and ones it keeps (/, é, a
        // tab written as \t) in every field; servers whose byte order and
        // Swift's string order could differ.
        let entries = [("https://r.example/<a>&b", "u<&>\u{2028}é", "s<&>\t/é"),
                       ("Z.example", "zed", "z-secret"), ("a.example", "<token>", "tok&en")]
        for (server, username, secret) in entries {
            let stored = try run(Self.theirs, "store", storeJSON(server, username, secret), in: session)
            try #require(stored.status == 0, "\(stored.output)\(stored.errorOutput)")
        }
        for (server, username, _) in entries {
            let theirs = try run(Self.theirs, "get", server, in: session)
            let ours = try run(Self.ours, "get", server, in: session)
            #expect(theirs.status == 0 && ours.status == 0)
            #expect(ours.output == theirs.output, "get \(server)")
            if username.contains("<") {
                #expect(theirs.output.contains("\\u003c"), "the Go helper escaped nothing: \(theirs.output)")
            }
        }
        #expect(try run(Self.ours, "list", in: session).output == run(Self.theirs, "list", in: session).output)
    }

    @Test func entriesAreSharedWithDockerCredentialSecretservice() throws {
        let session = try KeyringSession()
        // Ours writes, theirs reads and lists.
        _ = try run(Self.ours, "store", storeJSON("ours.example:5000", "olivia", "from-ours"), in: session)
        let theirGet = try run(Self.theirs, "get", "ours.example:5000", in: session)
        #expect(theirGet.status == 0)
        #expect(theirGet.output.contains(#""Username":"olivia""#))
        #expect(theirGet.output.contains(#""Secret":"from-ours""#))
        #expect(try run(Self.theirs, "list", in: session).output.contains(#""ours.example:5000":"olivia""#))

        // Theirs writes, ours reads and lists.
        _ = try run(Self.theirs, "store", storeJSON("theirs.example", "theo", "from-theirs"), in: session)
        #expect(try run(Self.ours, "get", "theirs.example", in: session).output
            == #"{"ServerURL":"theirs.example","Username":"theo","Secret":"from-theirs"}"# + "\n")
        #expect(try run(Self.ours, "list", in: session).output
            == #"{"ours.example:5000":"olivia","theirs.example":"theo"}"# + "\n")

        // Our entry carries exactly what theirs writes.
        let item = try #require(try session.dockerItems().first { $0["attribute.server"] == "ours.example:5000" })
        #expect(item["label"] == "ours.example:5000")
        #expect(item["schema"] == "io.docker.Credentials")
        #expect(item["attribute.label"] == "Docker Credentials")
        #expect(item["attribute.username"] == "olivia")
        #expect(item["attribute.docker_cli"] == "1")

        // Each erases the other's entries.
        _ = try run(Self.theirs, "erase", "ours.example:5000", in: session)
        _ = try run(Self.ours, "erase", "theirs.example", in: session)
        #expect(try session.dockerItems().isEmpty)
    }

    @Test func storingAgainLeavesOneEntryWhateverTheUsername() throws {
        let session = try KeyringSession()
        // docker-credential-secretservice keeps one entry per username...
        _ = try run(Self.theirs, "store", storeJSON("r.example", "alice", "a"), in: session)
        _ = try run(Self.theirs, "store", storeJSON("https://R.example/v2/", "bob", "b"), in: session)
        #expect(try session.dockerItems().count == 2)
        // ...ours replaces every spelling of the server.
        _ = try run(Self.ours, "store", storeJSON("r.example", "carol", "c"), in: session)
        _ = try run(Self.ours, "store", storeJSON("r.example", "dave", "d"), in: session)
        let items = try session.dockerItems()
        #expect(items.count == 1)
        #expect(items.first?["attribute.username"] == "dave")
        #expect(try run(Self.ours, "get", "https://r.example", in: session).output.contains(#""Secret":"d""#))
    }

    @Test func everyListedServerIsAcceptedByGet() throws {
        let session = try KeyringSession()
        for (server, user) in [("https://Mixed.Example:5000/v2/", "m"), ("plain.example", "p"),
                               ("ns.example/team/app", "n")] {
            _ = try run(Self.theirs, "store", storeJSON(server, user, "secret-\(user)"), in: session)
        }
        let listed = try CredentialHelperProtocol.parseList(try run(Self.ours, "list", in: session).standardOutput)
        #expect(listed.count == 3)
        for (server, user) in listed {
            let got = try run(Self.ours, "get", server, in: session)
            #expect(got.status == 0, "get \(server): \(got.output)")
            #expect(got.output.contains(#""Secret":"secret-\#(user)""#))
        }
    }

    @Test func lookupsUseCanonicalSpellingsButNeverAnotherRepository() throws {
        let session = try KeyringSession()
        _ = try run(Self.ours, "store", storeJSON("registry.example/team-a", "a", "team-a-secret"), in: session)
        for other in ["registry.example/team-b", "registry.example", "registry.example/team-ab"] {
            let got = try run(Self.ours, "get", other, in: session)
            #expect(got.output == "credentials not found in native keychain\n", "get \(other)")
        }
        for inside in ["registry.example/team-a/app", "https://Registry.Example/team-a"] {
            #expect(try run(Self.ours, "get", inside, in: session).output.contains("team-a-secret"), "get \(inside)")
        }

        _ = try run(Self.theirs, "store", storeJSON("https://Registry.Example", "w", "whole-registry"), in: session)
        #expect(try run(Self.ours, "get", "registry.example", in: session).output.contains("whole-registry"))
        #expect(try run(Self.ours, "get", "registry.example/team-b", in: session).output.contains("whole-registry"))
        #expect(try run(Self.ours, "get", "registry.example/team-a/x", in: session).output.contains("team-a-secret"))

        _ = try run(Self.ours, "store", storeJSON("docker.io", "hub", "hub-secret"), in: session)
        #expect(try run(Self.ours, "get", "https://index.docker.io/v1/", in: session).output.contains("hub-secret"))
    }

    @Test func getMintsCloudTokensWhenTheKeyringHasNone() throws {
        let session = try KeyringSession()
        let cloud = ["GITHUB_TOKEN": "ghs-minted", "GITHUB_ACTOR": "octo"]
        let minted = try run(Self.ours, "get", "ghcr.io", in: session, extra: cloud)
        #expect(minted.output == #"{"ServerURL":"ghcr.io","Username":"octo","Secret":"ghs-minted"}"# + "\n")

        // A stored login wins over the environment's identity.
        _ = try run(Self.ours, "store", storeJSON("ghcr.io", "me", "stored-pat"), in: session)
        let stored = try run(Self.ours, "get", "ghcr.io", in: session, extra: cloud)
        #expect(stored.output.contains(#""Secret":"stored-pat""#))
        // Other registries are not handed the cloud token.
        let other = try run(Self.ours, "get", "quay.io", in: session, extra: cloud)
        #expect(other.output == "credentials not found in native keychain\n")
    }

    @Test func aLockedKeyringStillListsButRefusesSecretsClearly() throws {
        let session = try KeyringSession()
        _ = try run(Self.ours, "store", storeJSON("locked.example", "lee", "locked-secret"), in: session)
        try session.lockDefaultCollection()

        let listed = try run(Self.ours, "list", in: session)
        #expect(listed.status == 0 && listed.output == #"{"locked.example":"lee"}"# + "\n")

        for (action, input) in [("get", "locked.example"), ("store", storeJSON("locked.example", "x", "y"))] {
            let refused = try run(Self.ours, action, input, in: session)
            #expect(refused.status == 1, "\(action)")
            #expect(refused.output.hasPrefix("the keyring is locked and was not unlocked"),
                    "\(action): \(refused.output)")
            #expect(refused.output.split(separator: "\n").count == 1)
            #expect(!refused.output.contains("locked-secret") && !refused.errorOutput.contains("locked-secret"))
        }
    }

    @Test func withoutASessionBusTheHelperSaysWhatIsMissing() throws {
        let empty = try TemporaryDirectory("ko-no-bus")
        var environment = ProcessInfo.processInfo.environment
        environment["DBUS_SESSION_BUS_ADDRESS"] = nil
        environment["DISPLAY"] = nil
        environment["XDG_RUNTIME_DIR"] = empty.path
        for action in ["list", "get", "store"] {
            let input = action == "store" ? storeJSON("r.example", "u", "no-bus-secret") : "r.example"
            let result = try ProcessRunner.run(Self.ours, [action], input: Array(input.utf8), environment: environment)
            #expect(result.status == 1)
            #expect(result.output.hasPrefix(
                "no D-Bus session bus for the keyring: DBUS_SESSION_BUS_ADDRESS is not set"))
            #expect(result.output.hasSuffix("\n") && result.output.split(separator: "\n").count == 1)
            #expect(!result.output.contains("no-bus-secret") && result.errorOutput.isEmpty)
        }
    }

    @Test func withoutASecretServiceTheHelperSaysWhatToStart() throws {
        let session = try KeyringSession(provider: .none)
        let result = try run(Self.ours, "get", "r.example", in: session)
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("no Secret Service provider on the D-Bus session bus"))
        #expect(result.output.contains("gnome-keyring-daemon"))
    }

    @Test func anUnresponsiveBusEndsInATimeoutNotAHang() throws {
        let directory = try TemporaryDirectory("ko-silent-bus")
        let socket = try SilentUnixSocket(path: directory.path + "/bus")
        var environment = ProcessInfo.processInfo.environment
        environment["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=\(socket.path)"
        environment["KO_KEYRING_TIMEOUT"] = "2"
        let result = try ProcessRunner.run(Self.ours, ["get"], input: Array("r.example".utf8),
                                           environment: environment)
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("the keyring (Secret Service over D-Bus) did not answer within 2s"))
    }
}

/// A Unix socket that accepts connections (the kernel's backlog does) but
/// never says a word: a D-Bus peer that hangs.
final class SilentUnixSocket {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 8) == 0 else {
            throw TestSupportError("cannot listen on \(path)")
        }
    }

    deinit { close(descriptor) }
}
