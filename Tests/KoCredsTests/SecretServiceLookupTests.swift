import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

/// The direct D-Bus read of the Secret Service: the wire codec on its own,
/// then lookups against a real gnome-keyring, with items written by
/// docker-credential-secretservice.
struct SecretServiceLookupTests {
    // MARK: Codec

    @Test func valuesSurviveEncodingAndDecoding() throws {
        let values: [DBusValue] = [
            .string("plain"), .variant(signature: "s", .string("")),
            .stringDictionary(["server": "r.example", "docker_cli": "1"]),
            .array(element: "o", [.objectPath("/a/b"), .objectPath("/c")]),
            .structure([.objectPath("/s"), .bytes([]), .bytes([0, 1, 255]), .string("text/plain")]),
            .array(element: "{sv}", [.dictEntry(.string("k"), .variant(signature: "u", .uint32(7)))]),
            .boolean(true), .byte(9), .int32(-5),
        ]
        var encoder = DBusEncoder()
        for value in values { encoder.encode(value) }
        var decoder = DBusDecoder(encoder.bytes, littleEndian: true)
        #expect(try decoder.decodeAll("sva{ss}ao(oayays)a{sv}byi") == values)
    }

    @Test func bigEndianRepliesAreRead() throws {
        // (us) in big-endian order: 0x01020304, then "ab".
        let bytes: [UInt8] = [1, 2, 3, 4, 0, 0, 0, 2, 0x61, 0x62, 0]
        var decoder = DBusDecoder(bytes, littleEndian: false)
        #expect(try decoder.decodeAll("us") == [.uint32(0x0102_0304), .string("ab")])
    }

    @Test(arguments: [
        ("s", [5, 0, 0, 0, 0x61, 0]),            // string longer than the bytes
        ("ay", [255, 255, 0, 0, 1]),             // array longer than the bytes
        ("s", [1, 0, 0, 0, 0x61, 0x62]),         // string without its zero byte
        ("(s", [0, 0, 0, 0, 0]),                 // unterminated structure
        ("v", [1, 0x7A, 0, 0]),                  // unknown type code in a variant
    ] as [(String, [UInt8])])
    func malformedBytesAreRejected(_ signature: String, _ bytes: [UInt8]) {
        var decoder = DBusDecoder(bytes, littleEndian: true)
        #expect(throws: DBusDecoder.Malformed.self) { try decoder.decodeAll(signature) }
    }

    // MARK: Against gnome-keyring

    func storeWithSecretservice(_ session: KeyringSession, _ server: String, _ username: String,
                                _ secret: String) throws {
        let request = CredentialHelperProtocol.credentialsJSON(
            server: server, credential: Credential(username: username, secret: secret))
        try ProcessRunner.check("docker-credential-secretservice", ["store"], input: Array(request.utf8),
                                environment: session.environment())
    }

    @Test func anItemDockersHelperStoredIsReadDirectly() throws {
        let session = try KeyringSession.sharedInProcess()
        let server = "direct-\(UUID().uuidString.prefix(8)).example:5000"
        let secret = #"pä$$wörd "quoted" \ ✓"#
        try storeWithSecretservice(session, server, "dora", secret)

        #expect(try SecretServiceLookup.exactMatch(server: server, timeout: 10)
            == .found(Credential(username: "dora", secret: secret)))
        #expect(try SecretServiceLookup.exactMatch(server: server + "/elsewhere", timeout: 10) == .notFound)
    }

    @Test func twoItemsForOneServerAreLeftToLibsecretWhichPicksTheNewest() throws {
        let session = try KeyringSession.sharedInProcess()
        let server = "twice-\(UUID().uuidString.prefix(8)).example"
        // docker-credential-secretservice keeps one item per username.
        try storeWithSecretservice(session, server, "first", "older-secret")
        usleep(1_100_000)  // item times have one-second resolution
        try storeWithSecretservice(session, server, "second", "newer-secret")

        #expect(try SecretServiceLookup.exactMatch(server: server, timeout: 10) == .needsLibsecret)
        #expect(try KeyringStore().credential(forServer: server) == Credential(username: "second",
                                                                               secret: "newer-secret"))
    }

    @Test func itemsOfAnotherSchemaAreNotDockerCredentials() throws {
        let session = try KeyringSession.sharedInProcess()
        let server = "other-schema-\(UUID().uuidString.prefix(8)).example"
        try ProcessRunner.check("secret-tool", ["store", "--label", "not docker", "server", server,
                                                "docker_cli", "1"],
                                input: Array("foreign-secret".utf8), environment: session.environment())

        #expect(try SecretServiceLookup.exactMatch(server: server, timeout: 10) == .notFound)
    }
}
