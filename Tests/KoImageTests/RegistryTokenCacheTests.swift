import Foundation
import KoHTTP
@testable import KoImage
import TestSupport
import Testing

/// Token lifetimes, token answers and challenge choice, driven through the
/// client's internals where waiting for real time would be needed.
struct RegistryTokenCacheTests {
    @Test func tokenIsFetchedAgainOnlyAfterItExpires() throws {
        let registry = try RegistryFixtures.token.get()
        let tokenServer = try #require(registry.tokenServer)
        let client = registry.client()
        let repository = registry.repository()
        func fetches() throws -> Int {
            try tokenServer.requests().filter { $0.scopes.contains { $0.contains(repository.repository) } }.count
        }
        let start = Date()
        client.authenticator.clock = { start }
        let image = try RegistryTestImage(layerSize: 10)
        try image.push(with: client, to: repository, tag: "v1")
        #expect(try fetches() == 1)

        // The fixture's tokens live 300 s; at 250 s the cached one still serves.
        client.authenticator.clock = { start.addingTimeInterval(250) }
        _ = try client.blobExists(image.layer.digest, in: repository)
        #expect(try fetches() == 1)

        client.authenticator.clock = { start.addingTimeInterval(300) }
        _ = try client.blobExists(image.layer.digest, in: repository)
        #expect(try fetches() == 2)
    }

    private func token(answer: String) throws -> TokenRequest.Token {
        let server = try HTTPTestServer.shared.get()
        let realm = server.url("/json?body=" + FormEncoding.escape(answer))
        let request = TokenRequest(realm: realm, service: "svc", scopes: [.pull("a/b")], credential: nil,
                                   target: RegistryTarget(registry: "127.0.0.1:1", repository: "a/b", access: .pull),
                                   allowsPlainHTTP: true)
        return try request.send(with: HTTPClient(), logger: .silent)
    }

    @Test func tokenWithoutExpiryLivesSixtySeconds() throws {
        let answer = try token(answer: #"{"token":"abc"}"#)
        #expect(answer.token == "abc")
        #expect(answer.lifetime == 60)
    }

    @Test func accessTokenAndExpiryAreRead() throws {
        let answer = try token(answer: #"{"access_token":"xyz","expires_in":900}"#)
        #expect(answer.token == "xyz")
        #expect(answer.lifetime == 900)
    }

    @Test(arguments: [#"{"expires_in":60}"#, "not json", #"{"token":""}"#])
    func answersWithoutATokenAreRefused(_ body: String) throws {
        let error = #expect(throws: RegistryError.self) { try token(answer: body) }
        guard case .invalidTokenResponse? = error else {
            Issue.record("expected invalidTokenResponse, got \(String(describing: error))")
            return
        }
    }

    @Test func plainHTTPRealmIsRefusedForRemoteRegistries() throws {
        let request = TokenRequest(realm: "http://127.0.0.1:1/token", service: nil, scopes: [],
                                   credential: .basic(username: "u", password: "p"),
                                   target: RegistryTarget(registry: "registry.example.com", repository: "a",
                                                          access: .pull),
                                   allowsPlainHTTP: false)
        let error = #expect(throws: RegistryError.self) { try request.send(with: HTTPClient(), logger: .silent) }
        guard case .insecureTokenRealm? = error else {
            Issue.record("expected insecureTokenRealm, got \(String(describing: error))")
            return
        }
    }

    @Test func plainHTTPIsAllowedOnlyForLocalOrInsecureRegistries() {
        let secure = RegistryClient()
        #expect(secure.authenticator.allowsPlainHTTP("127.0.0.1:5000"))
        #expect(secure.authenticator.allowsPlainHTTP("localhost:5000"))
        #expect(!secure.authenticator.allowsPlainHTTP("localhost.example.com:5000"))
        #expect(!secure.authenticator.allowsPlainHTTP("gcr.io"))
        #expect(RegistryClient(insecure: true).authenticator.allowsPlainHTTP("registry.internal.example"))
        #expect(RegistryClient(insecure: true).http.security.skipsVerification)
        #expect(!secure.http.security.skipsVerification)
    }

    @Test func bearerIsPreferredOverBasic() {
        let headers = [#"Basic realm="b""#, #"Bearer realm="https://auth.example/token",service="svc""#]
        #expect(RegistryAuthenticator.challenge(fromHeaders: headers)
                == .bearer(realm: "https://auth.example/token", service: "svc"))
        #expect(RegistryAuthenticator.challenge(fromHeaders: [#"Basic realm="b""#]) == .basic)
        #expect(RegistryAuthenticator.challenge(fromHeaders: ["Negotiate abc"]) == nil)
        #expect(RegistryAuthenticator.challenge(fromHeaders: [#"Bearer service="no realm""#]) == nil)
    }

    @Test func scopesAreFormattedAndCovered() {
        #expect(RegistryScope.push("acme/app").description == "repository:acme/app:pull,push")
        #expect(RegistryScope.pull("acme/app").description == "repository:acme/app:pull")
        #expect(RegistryScope.push("acme/app").covers(.pull("acme/app")))
        #expect(!RegistryScope.pull("acme/app").covers(.push("acme/app")))
        #expect(!RegistryScope.push("acme/app").covers(.pull("acme/other")))
    }

    @Test(arguments: [
        ("/v2/a/blobs/uploads/123?_state=x", "http://127.0.0.1:5000/v2/a/blobs/uploads/123?_state=x"),
        ("123?_state=x", "http://127.0.0.1:5000/v2/a/blobs/uploads/123?_state=x"),
        ("https://uploads.example.com/session/9", "https://uploads.example.com/session/9"),
        ("//other.example.com:8443/up", "http://other.example.com:8443/up"),
    ])
    func uploadLocationsResolveAgainstTheRequest(_ location: String, _ expected: String) {
        let request = "http://127.0.0.1:5000/v2/a/blobs/uploads/"
        #expect(RegistryClient.resolve(location, against: request) == expected)
    }

    @Test(arguments: ["ftp://example.com/x", "file:///etc/passwd", "http://", "ht tp://x"])
    func unusableUploadLocationsAreRefused(_ location: String) {
        #expect(RegistryClient.resolve(location, against: "http://127.0.0.1:5000/v2/a/blobs/uploads/") == nil)
    }

    @Test func credentialsGoOnlyToTheRegistryOrigin() {
        #expect(RegistryClient.sameOrigin("http://127.0.0.1:5000/v2/x", "http://127.0.0.1:5000"))
        #expect(RegistryClient.sameOrigin("https://Registry.example.com/v2/", "https://registry.example.com:443"))
        #expect(!RegistryClient.sameOrigin("http://127.0.0.1:5001/v2/x", "http://127.0.0.1:5000"))
        #expect(!RegistryClient.sameOrigin("https://storage.example.com/blob", "https://registry.example.com"))
        #expect(!RegistryClient.sameOrigin("http://registry.example.com/v2/", "https://registry.example.com"))
    }
}
