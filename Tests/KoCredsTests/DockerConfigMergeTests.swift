import Foundation
import Testing
import TestSupport
@testable import KoCreds
import KoJSON

/// config.json with a map-valued member written more than once, read and
/// rewritten as Go's `encoding/json` (and so the Docker CLI) reads it: the
/// occurrences merge, later keys win, nothing else is lost.
struct DockerConfigMergeTests {
    static let auth1 = AuthEntry.encodeAuth(username: "one", password: "first")
    static let auth2 = AuthEntry.encodeAuth(username: "two", password: "second")
    static let auth3 = AuthEntry.encodeAuth(username: "three", password: "third")
    static let stale = AuthEntry.encodeAuth(username: "old", password: "stale")

    /// Two `auths` (the second repeating `a.example`), two `credHelpers`
    /// and two `credsStore`, with other members between them.
    static let twice = """
        {
        \t"auths": {
        \t\t"b.example": {
        \t\t\t"auth": "\(auth2)"
        \t\t},
        \t\t"a.example": {
        \t\t\t"auth": "\(stale)",
        \t\t\t"email": "old@example.com"
        \t\t}
        \t},
        \t"psFormat": "table {{.ID}}",
        \t"credHelpers": {
        \t\t"h1.example": "first"
        \t},
        \t"auths": {
        \t\t"c.example": {
        \t\t\t"auth": "\(auth3)"
        \t\t},
        \t\t"a.example": {
        \t\t\t"auth": "\(auth1)"
        \t\t}
        \t},
        \t"credHelpers": {
        \t\t"h2.example": "second",
        \t\t"h1.example": "later"
        \t}
        }
        """

    private func write(_ text: String) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("ko-config-merge")
        return (directory, try directory.write("config.json", text, mode: 0o600))
    }

    @Test func repeatedMapsMergeOnReadAndLaterKeysWin() throws {
        let config = try DockerConfigFile(path: "config.json", bytes: Array(Self.twice.utf8))
        #expect(try config.authKeys() == ["b.example", "a.example", "c.example"])
        let first = try #require(try config.authEntry(forKey: "a.example"))
        // The later entry replaces the earlier one whole, as Go decodes a map element afresh.
        #expect(first.object == ["auth": .string(Self.auth1)])
        #expect(try config.authEntry(forKey: "b.example")?.credential(server: "b", path: "p")
            == Credential(username: "two", secret: "second"))
        #expect(try config.authEntry(forKey: "c.example")?.credential(server: "c", path: "p")
            == Credential(username: "three", secret: "third"))
        let helpers = try config.credentialHelpers()
        #expect(helpers.map(\.registry) == ["h1.example", "h2.example"])
        #expect(helpers.map(\.helper) == ["later", "second"])
        #expect(try config.credentialHelper(forServer: "h1.example") == "later")
        // One member each, where the first occurrence was.
        #expect(config.root.keys == ["auths", "psFormat", "credHelpers"])
    }

    @Test func repeatedScalarsKeepGoLastWins() throws {
        let text = #"{"credsStore": "first", "auths": {}, "credsStore": "second"}"#
        let config = try DockerConfigFile(path: "config.json", bytes: Array(text.utf8))
        #expect(try config.credentialsStore() == "second")
    }

    @Test func nullEmptiesTheMapAsInGo() throws {
        let text = #"{"auths": {"a.example": {}}, "auths": null, "auths": {"b.example": {}}}"#
        let config = try DockerConfigFile(path: "config.json", bytes: Array(text.utf8))
        #expect(try config.authKeys() == ["b.example"])
        let onlyNull = try DockerConfigFile(path: "config.json", bytes: Array(#"{"auths": null}"#.utf8))
        #expect(try onlyNull.authKeys() == [])
    }

    @Test func aRepeatThatIsNoObjectIsRefusedAsGoRefusesIt() throws {
        let text = #"{"auths": {"a.example": {}}, "auths": "oops"}"#
        #expect(throws: ConfigFileError.invalidField(path: "config.json", field: "auths",
                                                     expected: "an object each time it appears")) {
            try DockerConfigFile(path: "config.json", bytes: Array(text.utf8))
        }
    }

    @Test func fileWithoutRepeatsReadsBackUnchanged() throws {
        let bytes = Array(DockerConfigFileTests.lived.utf8)
        let config = try DockerConfigFile(path: "config.json", bytes: bytes)
        #expect(JSONValue.object(config.root) == (try JSONParser.parse(bytes)))
    }

    @Test func loginAndLogoutWriteOneMergedMemberKeepingEveryEntry() throws {
        let (directory, path) = try write(Self.twice)
        let storage = try LoginStorage(configPath: path, environment: ["PATH": "/nonexistent"])
        try storage.store(Credential(username: "u", secret: "p"), forRegistry: "d.example")
        let expected = """
            {
            \t"auths": {
            \t\t"b.example": {
            \t\t\t"auth": "\(Self.auth2)"
            \t\t},
            \t\t"a.example": {
            \t\t\t"auth": "\(Self.auth1)"
            \t\t},
            \t\t"c.example": {
            \t\t\t"auth": "\(Self.auth3)"
            \t\t},
            \t\t"d.example": {
            \t\t\t"auth": "dTpw"
            \t\t}
            \t},
            \t"psFormat": "table {{.ID}}",
            \t"credHelpers": {
            \t\t"h1.example": "later",
            \t\t"h2.example": "second"
            \t}
            }
            """
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)

        _ = try storage.erase(registry: "b.example")
        let after = try DockerConfigFile.load(path: path)
        #expect(try after.authKeys() == ["a.example", "c.example", "d.example"])
        #expect(try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\"auths\"").count == 2)
        withExtendedLifetime(directory) {}
    }

    @Test func resolverFindsCredentialsFromEveryOccurrence() throws {
        let keyring = MemoryCredentialStore()
        try keyring.store(Credential(username: "k", secret: "from-keyring"), forServer: "h2.example")
        let text = Self.twice.replacingOccurrences(of: #""h2.example": "second""#, with: #""h2.example": "ko""#)
        let (directory, path) = try write(text)
        let resolver = try DockerCredentialResolver(configPath: path, environment: ["PATH": "/nonexistent"],
                                                    keyring: keyring)
        #expect(try resolver.credential(forRegistry: "a.example") == Credential(username: "one", secret: "first"))
        #expect(try resolver.credential(forRegistry: "b.example") == Credential(username: "two", secret: "second"))
        #expect(try resolver.credential(forRegistry: "c.example") == Credential(username: "three", secret: "third"))
        #expect(try resolver.credential(forRegistry: "h2.example")
            == Credential(username: "k", secret: "from-keyring"))
        withExtendedLifetime(directory) {}
    }
}
