import Foundation
import KoHTTP
import KoImage
import TestSupport
import Testing

/// The registry client against scripted hostile registries and token servers
/// (`FaultProxy` without an upstream) on loopback: where credentials may go,
/// redirects, size caps, odd challenges, and servers quoting secrets back.
struct HostileRegistryTests {
    static let password = "hostile-pw-" + UUID().uuidString
    static let credential = RegistryCredential.basic(username: "victim", password: password)
    /// What a Basic header carries: base64 of user:password.
    static let basicValue = Data("victim:\(password)".utf8).base64EncodedString()

    func client(_ credential: RegistryCredential? = HostileRegistryTests.credential,
                http: HTTPClient = HTTPClient()) -> RegistryClient {
        RegistryClient(credentials: StaticCredentials(credential: credential), http: http, retry: .none)
    }

    func reference(_ host: String) throws -> ImageReference {
        try ImageReference(parsing: "\(host)/victim/app:v1")
    }

    /// The error's text, which must be one line and hold no secret.
    func checked(_ error: (any Error)?) -> String {
        let text = error.map { "\($0)" } ?? ""
        #expect(!text.isEmpty)
        #expect(!text.contains("\n"), "one line: \(text)")
        #expect(!text.contains(Self.password), "the password leaked: \(text)")
        #expect(!text.contains(Self.basicValue), "the Basic value leaked: \(text)")
        return text
    }

    static let basicChallenge = FaultProxy.Rule(method: "GET", path: "^/v2/$",
                                                action: .respond(status: 401, headers: [
                                                    ("WWW-Authenticate", #"Basic realm="hostile""#)]),
                                                times: -1)

    static func bearerChallenge(realm: String) -> FaultProxy.Rule {
        FaultProxy.Rule(method: "GET", path: "^/v2/$",
                        action: .respond(status: 401, headers: [("WWW-Authenticate",
                                                                 #"Bearer realm="\#(realm)",service="hostile""#)]),
                        times: -1)
    }

    static func tokenAnswer(_ token: String = "hostile-token") -> FaultProxy.Action {
        .respond(status: 200, headers: [("Content-Type", "application/json")],
                 body: #"{"token":"\#(token)","expires_in":300}"#)
    }

    // MARK: Token realms

    @Test func aPlainHTTPRealmOfAnHTTPSRegistryIsRefused() throws {
        let server = try FaultProxy(upstreamPort: nil, tlsNames: ["hostile.test"])
        let name = "hostile.test:\(server.port)"
        try server.plan([Self.bearerChallenge(realm: "http://\(name)/token"),
                         .init(path: "^/token", action: Self.tokenAnswer(), times: -1)])
        let http = HTTPClient(security: TransportSecurity(caFile: server.certificatePath),
                              resolve: ["\(name):127.0.0.1"])
        let error = #expect(throws: RegistryError.self) { try client(http: http).manifest(for: reference(name)) }
        guard case .insecureTokenRealm? = error else {
            Issue.record("expected insecureTokenRealm, got \(String(describing: error))")
            return
        }
        #expect(checked(error).contains("over plain HTTP; refusing"))
        #expect(try server.requests().allSatisfy { !$0.path.hasPrefix("/token") })
        // The same realm over HTTPS is fine.
        try server.plan([Self.bearerChallenge(realm: "https://\(name)/token"),
                         .init(path: "^/token", action: Self.tokenAnswer(), times: -1)])
        let notFound = #expect(throws: RegistryError.self) {
            try client(http: http).manifest(for: reference(name))
        }
        guard case .manifestNotFound? = notFound else {
            Issue.record("expected manifestNotFound, got \(String(describing: notFound))")
            return
        }
        #expect(try server.requests().contains { $0.path.hasPrefix("/token") && $0.auth == "Basic" })
    }

    /// Checked before any connection: no packet leaves for these addresses.
    @Test(arguments: [
        "http://169.254.169.254/latest/api/token", "https://169.254.169.254/token",
        "http://metadata.google.internal/computeMetadata/v1/token", "http://METADATA.google.internal./token",
        "http://[fe80::1]/token", "http://[fe80::a:b%25eth0]/token", "http://0.0.0.0:9/token", "http://[::]:9/token",
        "http://[::ffff:169.254.169.254]/token", "http://[fd00:ec2::254]/token", "http://100.100.100.200/token",
        "http://169.254.1.2:8080/token",
    ])
    func realmsAtMetadataLinkLocalOrUnspecifiedAddressesAreRefused(realm: String) throws {
        let server = try FaultProxy(upstreamPort: nil)
        try server.plan([Self.bearerChallenge(realm: realm)])
        let error = #expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) }
        guard case .forbiddenTokenRealm? = error else {
            Issue.record("expected forbiddenTokenRealm for \(realm), got \(String(describing: error))")
            return
        }
        #expect(checked(error).contains("refusing"))
    }

    @Test func specialAddressesAreRecognisedInEverySpelling() {
        for host in ["169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "::", "[::]", "fe80::1", "[FE80::1]",
                     "febf::1", "::ffff:169.254.169.254", "::169.254.169.254", "fd00:ec2::254", "100.100.100.200",
                     "metadata", "metadata.google.internal.", "Instance-Data", "fe80::1%eth0"] {
            #expect(SpecialAddress.reason(forHost: host) != nil, "\(host) must be refused")
        }
        for host in ["127.0.0.1", "::1", "10.0.0.1", "registry.example", "fec0::1", "169.253.1.1", "100.100.100.201",
                     "ghcr.io", "[2001:db8::1]", "metadata.example.com", ""] {
            #expect(SpecialAddress.reason(forHost: host) == nil, "\(host) is an ordinary host")
        }
    }

    // MARK: Redirects

    @Test func authorizationNeverFollowsARedirectToAnotherHost() throws {
        let server = try FaultProxy(upstreamPort: nil, listen: 2)
        let other = "localhost:\(server.ports[1])"
        try server.plan([
            Self.basicChallenge,
            .init(method: "GET", path: "/blobs/", action: .respond(status: 307, headers: [
                ("Location", "http://\(other)/landing")]), times: -1),
            .init(method: "GET", path: "^/landing", action: .respond(status: 200, body: "not the blob"), times: -1),
        ])
        let digest = Digest.sha256(of: Array("x".utf8))
        let repository = RepositoryReference(registry: server.host, repository: "victim/app")
        let error = #expect(throws: RegistryError.self) { try client().blob(digest, from: repository) }
        guard case .digestMismatch? = error else {
            Issue.record("expected digestMismatch, got \(String(describing: error))")
            return
        }
        let requests = try server.requests()
        #expect(requests.contains { $0.path.contains("/blobs/") && $0.auth == "Basic" })
        let landing = try #require(requests.first { $0.path.hasPrefix("/landing") })
        #expect(landing.host == other)
        #expect(landing.auth == nil, "Authorization followed the redirect to \(other)")
    }

    @Test func tokenRealmRedirectsKeepCredentialsHome() throws {
        let server = try FaultProxy(upstreamPort: nil, listen: 2)
        let other = "localhost:\(server.ports[1])"
        try server.plan([
            Self.bearerChallenge(realm: "http://\(server.host)/token"),
            .init(path: "^/token", action: .respond(status: 302, headers: [("Location", "http://\(other)/moved")]),
                  times: -1),
            .init(path: "^/moved", action: Self.tokenAnswer(), times: -1),
        ])
        let error = #expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) }
        guard case .manifestNotFound? = error else {
            Issue.record("expected manifestNotFound, got \(String(describing: error))")
            return
        }
        let requests = try server.requests()
        #expect(requests.contains { $0.path.hasPrefix("/token") && $0.auth == "Basic" })
        #expect(requests.filter { $0.path.hasPrefix("/moved") }.allSatisfy { $0.auth == nil })
        #expect(requests.contains { $0.path.contains("/manifests/") && $0.auth == "Bearer" })

        // A refresh token travels in a POST body: a 307 would carry it to the other host.
        try server.plan([
            Self.bearerChallenge(realm: "http://\(server.host)/token"),
            .init(method: "POST", path: "^/token", action: .respond(status: 307, headers: [
                ("Location", "http://\(other)/steal")]), times: -1),
        ])
        let refused = #expect(throws: (any Error).self) {
            try client(.identityToken("refresh-\(Self.password)")).manifest(for: reference(server.host))
        }
        #expect(checked(refused).contains("would resend the request body to another server"))
        #expect(try server.requests().allSatisfy { !$0.path.hasPrefix("/steal") })
    }

    @Test func redirectLoopsEndAfterTenHops() throws {
        let server = try FaultProxy(upstreamPort: nil)
        try server.plan([Self.basicChallenge, .init(path: "/manifests/", action: .redirectLoop, times: -1)])
        let error = #expect(throws: (any Error).self) { try client().manifest(for: reference(server.host)) }
        #expect(checked(error).contains("more than \(HTTPClient.maximumRedirects) redirects"))
        #expect(try server.requests().filter { $0.path.contains("/manifests/") }.count
                == HTTPClient.maximumRedirects + 1)
    }

    // MARK: Size caps

    @Test func oversizedManifestsConfigsTokensAndHeadersAreCut() throws {
        let server = try FaultProxy(upstreamPort: nil)
        let big = 5 << 20
        try server.plan([
            Self.bearerChallenge(realm: "http://\(server.host)/token"),
            .init(path: "^/token\\?.*scope=repository%3Abig", action: .respondSized(status: 200, headers: [
                ("Content-Type", "application/json")], size: 2 << 20), times: -1),
            .init(path: "^/token", action: Self.tokenAnswer(), times: -1),
            .init(method: "GET", path: "/manifests/", action: .respondSized(status: 200, headers: [
                ("Content-Type", MediaType.ociManifest)], size: big, chunked: true), times: -1),
            .init(method: "GET", path: "/blobs/", action: .respondSized(status: 200, size: big), times: -1),
            .init(method: "HEAD", path: "/manifests/", action: .respond(
                status: 200, headers: (0..<3000).map { ("X-Flood-\($0)", String(repeating: "f", count: 100)) }),
                  times: -1),
            .init(method: "DELETE", action: .respondSized(status: 500, size: 200 << 20, chunked: true), times: -1),
        ])
        let manifest = #expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) }
        #expect(checked(manifest).contains("larger than \(RegistryClient.manifestSizeLimit) bytes"))

        let repository = RepositoryReference(registry: server.host, repository: "victim/app")
        let digest = Digest.sha256(of: Array("config".utf8))
        let config = #expect(throws: HTTPError.self) { try client().blob(digest, from: repository) }
        #expect(checked(config).contains("larger than"))
        let stream = #expect(throws: RegistryError.self) {
            try client().streamBlob(digest, from: repository, expectedSize: 1000) { _ in }
        }
        #expect(checked(stream).contains("expected 1000"))

        let token = #expect(throws: RegistryError.self) {
            try client().manifest(for: ImageReference(parsing: "\(server.host)/big/app:v1"))
        }
        #expect(checked(token).contains("larger than \(1 << 20) bytes"))

        let headers = #expect(throws: HTTPError.self) { try client().manifestDescriptor(for: reference(server.host)) }
        #expect(checked(headers).contains("response headers"))

        // An endless error document is cut at its cap, and the status still reported.
        let http = HTTPClient()
        let answer = try http.send(HTTPRequest(method: "DELETE", url: "http://\(server.host)/anything"))
        #expect(answer.status == 500)
        #expect(answer.body.count <= 1 << 20)
    }

    // MARK: Challenges

    @Test func oddWWWAuthenticateHeadersAreParsedNotCrashedOn() throws {
        let server = try FaultProxy(upstreamPort: nil)
        let realm = "http://\(server.host)/token"
        let headers = [
            #"Bearer realm="\#(realm)",service="a\"b,c""#,
            "Bearer realm=\(realm),service=unquoted",
            #"Bearer realm="\#(realm)"#,
            #"BEARER   REALM = "\#(realm)" , , service = x"#,
            #"Basic realm="a", Bearer realm="\#(realm)""#,
            #"Bearer realm="\#(realm)", error="invalid_token", error_description="The access token expired""#,
            "Bearer realm=\"\u{00}\u{ff}\u{7f}\"",
            "Bearer " + (0..<2000).map { "p\($0)=\"v\($0)\"" }.joined(separator: ","),
            "Negotiate YWJjZA==", "", ",,,", "Bearer", "Bearer realm=\"\"", "Basic", "Digest realm=\"x\", nonce=\"y\"",
            "Bearer realm=\"\(realm)\\", "Bearer realm=\"\\\"", "Bearer ===", "Bearer realm==\"x\"",
            String(repeating: "Bearer realm=\"x\", ", count: 500),
        ]
        var outcomes: [String: Int] = [:]
        for header in headers {
            try server.plan([
                .init(method: "GET", path: "^/v2/$", action: .respond(status: 401, headers: [
                    ("WWW-Authenticate", header)]), times: -1),
                .init(path: "^/token", action: Self.tokenAnswer(), times: -1),
            ])
            let error = #expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) }
            _ = checked(error)
            switch error {
            case .manifestNotFound?: outcomes["parsed, token fetched", default: 0] += 1
            case .unsupportedChallenge?: outcomes["refused as unsupported", default: 0] += 1
            default: outcomes["other: \(String(describing: error))", default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == headers.count)
        #expect(outcomes["parsed, token fetched", default: 0] >= 6, "\(outcomes)")
        #expect(outcomes["refused as unsupported", default: 0] >= 5, "\(outcomes)")
    }

    // MARK: Secrets quoted back

    @Test func errorsNeverQuoteTheSecretsAHostileServerEchoes() throws {
        let server = try FaultProxy(upstreamPort: nil)
        try server.plan([Self.basicChallenge,
                         .init(path: "/manifests/", action: .echoAuthorization(status: 403), times: -1),
                         .init(path: "/blobs/", action: .echoAuthorization(status: 400), times: -1)])
        let refused = #expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) }
        #expect(checked(refused).contains("you sent Basic <redacted>"))
        let repository = RepositoryReference(registry: server.host, repository: "victim/app")
        _ = checked(#expect(throws: RegistryError.self) {
            try client().blobExists(Digest.sha256(of: [1]), in: repository)
        })

        try server.plan([Self.bearerChallenge(realm: "http://\(server.host)/token"),
                         .init(path: "^/token", action: .echoAuthorization(status: 401), times: -1)])
        _ = checked(#expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) })
        try server.plan([Self.bearerChallenge(realm: "http://\(server.host)/token"),
                         .init(path: "^/token", action: .echoAuthorization(status: 500), times: -1)])
        _ = checked(#expect(throws: RegistryError.self) { try client().manifest(for: reference(server.host)) })

        let token = "registry-token-\(Self.password)"
        try server.plan([Self.bearerChallenge(realm: "http://\(server.host)/token"),
                         .init(path: "/manifests/", action: .echoAuthorization(status: 403), times: -1)])
        let text = checked(#expect(throws: RegistryError.self) {
            try client(.registryToken(token)).manifest(for: reference(server.host))
        })
        #expect(!text.contains(token))

        try server.plan([.init(method: "GET", path: "^/v2/$", action: .echoAuthorization(status: 401), times: -1)])
        _ = checked(#expect(throws: RegistryError.self) {
            try client().checkLogin(registry: server.host, credential: Self.credential)
        })
    }
}
