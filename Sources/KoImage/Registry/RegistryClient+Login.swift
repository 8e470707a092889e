import Foundation
import KoHTTP

/// Checking a credential before `ko login` stores it.
extension RegistryClient {
    /// Verifies that `credential` is accepted by `registry`, throwing
    /// `RegistryError.loginRefused` when it is not.
    ///
    /// For a Basic registry this is `GET /v2/` with the credential; for a
    /// Bearer registry, a token request at the realm (no scope, like
    /// `docker login`) followed by `GET /v2/` with that token. A registry that
    /// answers `/v2/` without authentication accepts any credential.
    public func checkLogin(registry: String, credential: RegistryCredential) throws {
        try retrying("check the login", registry: registry) { _ in
            try checkLoginOnce(registry: registry, credential: credential)
        }
    }

    private func checkLoginOnce(registry: String, credential: RegistryCredential) throws {
        let session = try authenticator.ping(registry)
        let target = RegistryTarget(registry: registry, repository: "", access: .pull)
        let authorization: String
        switch (session.challenge, credential) {
        case (.none, _):
            logger.debug("registry \(registry) needs no login; the credential cannot be checked")
            return
        case let (.basic, .basic(username, password)):
            authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case let (_, .registryToken(token)):
            authorization = "Bearer \(token)"
        case (.basic, .identityToken):
            throw RegistryError.loginRefused(registry: registry, status: 401,
                                             detail: "it uses Basic authentication, which takes no identity token")
        case let (.bearer(realm, service), _):
            let token: TokenRequest.Token
            do {
                token = try TokenRequest(realm: realm, service: service, scopes: [], credential: credential,
                                         target: target, allowsPlainHTTP: authenticator.allowsPlainHTTP(registry))
                    .send(with: http, logger: logger)
            } catch let RegistryError.refused(_, _, _, status, detail, _) {
                throw RegistryError.loginRefused(registry: registry, status: status, detail: detail)
            }
            authorization = "Bearer \(token.token)"
        }

        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(url: session.baseURL + "/v2/",
                                                 headers: [("Authorization", authorization)]),
                                     bodyLimit: 64 << 10)
        } catch let error as HTTPError {
            throw RegistryError.unreachable(registry: registry, underlying: error)
        }
        switch response.status {
        case 200..<300:
            logger.debug("registry \(registry) accepted the credential")
        case 401, 403:
            // A hostile registry may echo what it was sent.
            var secrets = [authorization, String(authorization.drop { $0 != " " }.dropFirst())]
            switch credential {
            case let .basic(_, password): secrets.append(password)
            case let .identityToken(token), let .registryToken(token): secrets.append(token)
            }
            let detail = RegistryAuthenticator.scrub(DistributionErrors.summary(of: response), secrets: secrets)
            throw RegistryError.loginRefused(registry: registry, status: response.status, detail: detail)
        default:
            throw failure(response, target, "answer GET /v2/")
        }
    }
}
