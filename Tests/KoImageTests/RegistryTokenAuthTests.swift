import Foundation
import KoHTTP
import KoImage
import TestSupport
import Testing

/// The registry client against a real `docker-registry` with token
/// authentication, served by the test token server (how Docker Hub, GHCR and
/// GCR behave).
struct RegistryTokenAuthTests {
    let registry: RegistryFixture
    let tokenServer: TokenServer

    init() throws {
        registry = try RegistryFixtures.token.get()
        tokenServer = try #require(registry.tokenServer)
    }

    /// Token requests so far that name `repository` in a scope.
    private func tokenRequests(for repository: RepositoryReference) throws -> [TokenServer.Request] {
        try tokenServer.requests().filter { request in
            request.scopes.contains { $0.contains(":\(repository.repository):") }
        }
    }

    @Test func pushAndPullUseOneCachedToken() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let repository = registry.repository()
        let digest = try image.push(with: client, to: repository, tag: "v1")
        #expect(try client.manifest(for: repository.tagged("v1")).digest == digest)
        #expect(try client.blob(image.config.digest, from: repository).count == Int(image.config.size))
        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer,
                                      to: repository) == .alreadyPresent)

        // HEADs, POST, PATCH, PUTs, manifest PUT and GETs: one token, for pull,push.
        let requests = try tokenRequests(for: repository)
        #expect(requests.count == 1)
        #expect(requests.first?.scopes == ["repository:\(repository.repository):pull,push"])
        #expect(requests.first?.service == tokenServer.service)
        #expect(requests.first?.account == registry.username)
        #expect(requests.first?.status == 200)
    }

    @Test func pullOnlyAsksForPullScope() throws {
        let pusher = registry.client()
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository()
        try image.push(with: pusher, to: repository, tag: "v1")

        let puller = registry.client()
        _ = try puller.manifest(for: repository.tagged("v1"))
        _ = try puller.blob(image.config.digest, from: repository)
        let pulls = try tokenRequests(for: repository).filter {
            $0.scopes == ["repository:\(repository.repository):pull"]
        }
        #expect(pulls.count == 1)
    }

    @Test func parallelRequestsShareOneToken() throws {
        let client = registry.client()
        let repository = registry.repository()
        let images = try (0..<6).map { _ in try RegistryTestImage(layerSize: 20_000) }
        let failures = LockedLines()
        DispatchQueue.concurrentPerform(iterations: images.count) { index in
            do {
                try images[index].push(with: client, to: repository, tag: "t\(index)")
            } catch {
                failures.append("\(index): \(error)")
            }
        }
        #expect(failures.all.isEmpty)
        #expect(try tokenRequests(for: repository).count == 1)
    }

    @Test func mountAsksForBothScopes() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let source = registry.repository("base")
        let target = registry.repository("acme")
        try image.push(with: client, to: source, tag: "base")

        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer, to: target,
                                      mountFrom: source) == .mounted)
        let mountScopes = ["repository:\(target.repository):pull,push", "repository:\(source.repository):pull"]
        #expect(try tokenRequests(for: target).contains { $0.scopes == mountScopes })
        #expect(try client.blobExists(image.layer.digest, in: target))
    }

    @Test func wrongPasswordIsRefusedByTheTokenServer() throws {
        let client = registry.client(.basic(username: registry.username ?? "", password: "wrong-password"))
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository()
        let error = #expect(throws: RegistryError.self) {
            try image.push(with: client, to: repository, tag: "v1")
        }
        guard case let .refused(host, name, access, status, detail, hadCredential)? = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(host == registry.host)
        #expect(name == repository.repository)
        #expect(access == .push)
        #expect(status == 401)
        #expect(detail.contains("token server answered 401 UNAUTHORIZED"))
        #expect(hadCredential)
        let message = error.map(\.description) ?? ""
        #expect(message.contains("'ko login \(registry.host)'"))
        #expect(!message.contains("wrong-password"))
    }

    @Test func anonymousPushIsRefusedWithALoginHint() throws {
        let client = RegistryClient()
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository()
        let error = #expect(throws: RegistryError.self) {
            try image.push(with: client, to: repository, tag: "v1")
        }
        let message = error.map(\.description) ?? ""
        #expect(message.hasPrefix("registry \(registry.host) refused the push of \(repository.repository) (401"))
        #expect(message.hasSuffix("log in with 'ko login \(registry.host)'"))
        // The anonymous token request was made, without credentials.
        let requests = try tokenRequests(for: repository)
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.authenticated == false })
    }

    @Test func identityTokenIsExchangedWithRefreshTokenGrant() throws {
        let refreshToken = try obtainRefreshToken()
        let client = registry.client(.identityToken(refreshToken))
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository()
        let digest = try image.push(with: client, to: repository, tag: "v1")
        #expect(try client.manifest(for: repository.tagged("v1")).digest == digest)

        let requests = try tokenRequests(for: repository)
        #expect(requests.count == 1)
        #expect(requests.first?.method == "POST")
        #expect(requests.first?.grantType == "refresh_token")
        #expect(requests.first?.clientID == "ko")
        #expect(requests.first?.account == registry.username)
    }

    @Test func registryTokenIsUsedAsIs() throws {
        let repository = registry.repository()
        let token = try obtainToken(scope: "repository:\(repository.repository):pull,push")
        let before = try tokenRequests(for: repository).count
        let client = registry.client(.registryToken(token))
        let image = try RegistryTestImage(layerSize: 10)
        let digest = try image.push(with: client, to: repository, tag: "v1")
        #expect(try client.manifest(for: repository.tagged("v1")).digest == digest)
        #expect(try tokenRequests(for: repository).count == before)
    }

    @Test func skopeoSeesThePushedManifest() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let repository = registry.repository()
        let digest = try image.push(with: client, to: repository, tag: "v1")

        let authFile = try #require(try registry.writeAuthFile())
        let result = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false",
                                                        "--authfile", authFile,
                                                        "docker://\(repository.tagged("v1"))"])
        #expect(result.standardOutput == image.manifest)
        #expect(Digest.sha256(of: result.standardOutput) == digest)
    }

    @Test func checkLoginAsksTheTokenServer() throws {
        let client = RegistryClient()
        try client.checkLogin(registry: registry.host, credential: registry.credential)
        try client.checkLogin(registry: registry.host, credential: .identityToken(try obtainRefreshToken()))
        let error = #expect(throws: RegistryError.self) {
            try client.checkLogin(registry: registry.host,
                                  credential: .basic(username: registry.username ?? "", password: "nope"))
        }
        guard case .loginRefused(_, 401, _)? = error else {
            Issue.record("expected loginRefused, got \(String(describing: error))")
            return
        }
        #expect(throws: RegistryError.self) {
            try client.checkLogin(registry: registry.host, credential: .identityToken("not-a-refresh-token"))
        }
    }

    // MARK: Talking to the token server directly

    /// A refresh token from the OAuth2 password grant with `access_type=offline`.
    private func obtainRefreshToken() throws -> String {
        let form = "grant_type=password&access_type=offline&client_id=test&service=\(tokenServer.service)"
            + "&username=\(registry.username ?? "")&password=\(registry.password ?? "")"
        let response = try HTTPClient().send(HTTPRequest(method: "POST", url: tokenServer.realm,
                                                         headers: [("Content-Type",
                                                                    "application/x-www-form-urlencoded")],
                                                         body: .bytes(Array(form.utf8))))
        #expect(response.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try #require(object?["refresh_token"] as? String)
    }

    /// A bearer token for `scope`, fetched with the fixture's Basic credentials.
    private func obtainToken(scope: String) throws -> String {
        let basic = Data("\(registry.username ?? ""):\(registry.password ?? "")".utf8).base64EncodedString()
        let url = "\(tokenServer.realm)?service=\(tokenServer.service)&scope=\(scope)"
        let response = try HTTPClient().send(HTTPRequest(url: url, headers: [("Authorization", "Basic \(basic)")]))
        #expect(response.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try #require(object?["token"] as? String)
    }
}
