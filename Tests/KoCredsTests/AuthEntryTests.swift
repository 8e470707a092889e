import KoJSON
import Testing
@testable import KoCreds
@testable import KoKeyring

struct AuthEntryTests {
    private func entry(_ json: String) throws -> AuthEntry {
        AuthEntry(object: try #require(try JSONParser.parse(json).objectValue))
    }

    @Test(arguments: [
        // base64("alice:pa:ss") — the password keeps its colons.
        (#"{"auth":"YWxpY2U6cGE6c3M="}"#, Credential(username: "alice", secret: "pa:ss")),
        // base64("bob:pw\0\0"): NUL padding from old tools is dropped.
        (#"{"auth":"Ym9iOnB3AAA="}"#, Credential(username: "bob", secret: "pw")),
        (#"{"username":"carol","password":"pw"}"#, Credential(username: "carol", secret: "pw")),
        // base64("dave:") beside an identity token, as the Docker CLI writes it.
        (#"{"auth":"ZGF2ZTo=","identitytoken":"refresh"}"#, Credential.identityToken("refresh")),
        (#"{"registrytoken":"bearer","identitytoken":"refresh"}"#, Credential.registryToken("bearer")),
    ])
    func decodesEveryFormTheDockerCLIWrites(json: String, expected: Credential) throws {
        #expect(try entry(json).credential(server: "s", path: "p") == expected)
    }

    @Test func emptyEntriesHoldNoCredential() throws {
        #expect(try entry(#"{}"#).credential(server: "s", path: "p") == nil)
        #expect(try entry(#"{"email":"x@example.com","auth":""}"#).credential(server: "s", path: "p") == nil)
    }

    @Test func badAuthNamesTheEntryButNotItsValue() throws {
        let broken = try entry(#"{"auth":"c2VjcmV0LXdpdGhvdXQtY29sb24="}"#)  // "secret-without-colon"
        #expect(throws: ConfigFileError.invalidAuth(path: "/cfg.json", server: "r.example")) {
            try broken.credential(server: "r.example", path: "/cfg.json")
        }
        let message = ConfigFileError.invalidAuth(path: "/cfg.json", server: "r.example").description
        #expect(!message.contains("secret-without-colon") && !message.contains("c2VjcmV0"))
    }

    @Test func storingReplacesSecretsAndKeepsOtherMembers() throws {
        var value = try entry(#"{"email":"x@example.com","auth":"b2xkOm9sZA==","identitytoken":"old"}"#)
        value.setCredential(Credential(username: "new", secret: "pw"))
        // `auth` goes before `email`, where the Docker CLI writes it.
        #expect(JSONWriter.compact(.object(value.object)) == #"{"auth":"bmV3OnB3","email":"x@example.com"}"#)
        value.clearCredential()
        #expect(JSONWriter.compact(.object(value.object)) == #"{"email":"x@example.com"}"#)
    }

    @Test func credentialDescriptionsNeverShowTheSecret() {
        for credential in [Credential(username: "u", secret: "hunter2"), .identityToken("hunter2"),
                           .registryToken("hunter2")] {
            #expect(!"\(credential)".contains("hunter2"))
        }
        #expect(Credential(username: "<token>", secret: "t").isIdentityToken)
    }
}
