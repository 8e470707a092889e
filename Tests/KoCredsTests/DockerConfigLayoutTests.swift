import Foundation
import KoJSON
import Testing
import TestSupport
@testable import KoCreds

/// New members of config.json go where the Docker CLI writes them, and the
/// file is escaped as Go escapes it; members already there never move.
struct DockerConfigLayoutTests {
    private func config(_ text: String) throws -> DockerConfigFile {
        try DockerConfigFile(path: "config.json", bytes: Array(text.utf8))
    }

    @Test func newAuthsAndHelpersGoInKeyOrder() throws {
        var file = try config(#"{"auths":{"a.example":{},"m.example":{}},"credHelpers":{"b":"x","y":"x"}}"#)
        try file.setAuthEntry(AuthEntry(), forKey: "z.example")
        try file.setAuthEntry(AuthEntry(), forKey: "127.0.0.1:5000")
        try file.setAuthEntry(AuthEntry(), forKey: "h.example")
        try file.setCredentialHelper("ko", forRegistry: "c")
        #expect(try file.authKeys() == ["127.0.0.1:5000", "a.example", "h.example", "m.example", "z.example"])
        #expect(try file.credentialHelpers().map(\.registry) == ["b", "c", "y"])
    }

    @Test func keysCompareByTheirBytesAsGoSortsThem() throws {
        var file = try config(#"{"auths":{"B":{},"a":{},"é":{}}}"#)
        try file.setAuthEntry(AuthEntry(), forKey: "Z")
        try file.setAuthEntry(AuthEntry(), forKey: "e")
        #expect(try file.authKeys() == ["B", "Z", "a", "e", "é"])
    }

    @Test func aMemberAlreadyThereKeepsItsPlace() throws {
        // Not the Docker CLI's order: a hand-edited file stays as it was edited.
        var file = try config(#"{"credsStore":"old","auths":{"z":{},"a":{"auth":"YTpi"}}}"#)
        try file.setAuthEntry(AuthEntry(credential: Credential(username: "u", secret: "p")), forKey: "z")
        file.setCredentialsStore("ko")
        #expect(file.root.keys == ["credsStore", "auths"])
        #expect(try file.authKeys() == ["z", "a"])
    }

    @Test(arguments: [
        // (the file, the top-level key added, the keys afterwards)
        (#"{"psFormat":"x","proxies":{}}"#, "auths", ["auths", "psFormat", "proxies"]),
        (#"{"psFormat":"x","proxies":{}}"#, "credsStore", ["psFormat", "credsStore", "proxies"]),
        (#"{"auths":{},"credsStore":"x","currentContext":"c"}"#, "credHelpers",
         ["auths", "credsStore", "credHelpers", "currentContext"]),
        (#"{"x-unknown":1,"aliases":{}}"#, "credsStore", ["x-unknown", "credsStore", "aliases"]),
        (#"{"aliases":{},"x-unknown":1}"#, "credsStore", ["credsStore", "aliases", "x-unknown"]),
        (#"{"x-unknown":1}"#, "auths", ["x-unknown", "auths"]),
        ("{}", "credHelpers", ["credHelpers"]),
    ])
    func topLevelMembersFollowTheDockerCLIsFieldOrder(file text: String, added: String, keys: [String]) throws {
        var file = try config(text)
        switch added {
        case "auths": try file.setAuthEntry(AuthEntry(), forKey: "r.example")
        case "credsStore": file.setCredentialsStore("ko")
        default: try file.setCredentialHelper("ko", forRegistry: "r.example")
        }
        #expect(file.root.keys == keys)
    }

    @Test func aCredentialGoesBeforeTheEmailAsInTheDockerCLI() throws {
        let object: JSONObject = ["email": .string("me@example.com"), "x-future": .bool(true)]
        var entry = AuthEntry(object: object)
        entry.setCredential(Credential(username: "u", secret: "p"))
        #expect(entry.object.keys == ["auth", "email", "x-future"])
        entry.setCredential(.identityToken("t"))
        // A member the Docker CLI does not know has no place of its own; new fields go after it.
        #expect(entry.object.keys == ["email", "x-future", "identitytoken"])
        entry.setCredential(.registryToken("t"))
        #expect(entry.object.keys == ["email", "x-future", "registrytoken"])
    }

    @Test func theFileIsEscapedAsGoEscapesIt() throws {
        let text = "{\"credHelpers\":{\"a<b>&c\":\"x\"},\"proxies\":{\"default\":{\"noProxy\":\"\u{2028}\\u003e/\"}}}"
        let file = try config(text)
        #expect(file.serialized() == """
            {
            \t"credHelpers": {
            \t\t"a\\u003cb\\u003e\\u0026c": "x"
            \t},
            \t"proxies": {
            \t\t"default": {
            \t\t\t"noProxy": "\\u2028\\u003e/"
            \t\t}
            \t}
            }
            """)
    }
}
