import Foundation
import KoHTTP
import KoLog

/// One bearer token request to a token realm (distribution "Token
/// Authentication Specification" and "OAuth2 Token Authentication").
///
/// Username and password go as Basic to `GET realm?service=…&scope=…`; an
/// identity token is exchanged with `POST realm` and `grant_type=refresh_token`;
/// without credentials the same GET is made anonymously.
struct TokenRequest {
    let realm: String
    let service: String?
    let scopes: [RegistryScope]
    let credential: RegistryCredential?
    let target: RegistryTarget
    let allowsPlainHTTP: Bool

    /// A token and how many seconds it lives.
    struct Token {
        let token: String
        let lifetime: Double
    }

    /// Seconds a token lives when the server does not say (the spec's default).
    static let defaultLifetime: Double = 60

    private struct Response: Decodable {
        var token: String?
        var accessToken: String?
        var expiresIn: Double?

        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }

    func send(with http: HTTPClient, logger: Logger) throws -> Token {
        let registry = target.registry
        guard let url = URLComponents(string: realm), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", url.host?.isEmpty == false else {
            throw RegistryError.invalidTokenResponse(registry: registry, realm: realm,
                                                     reason: "the realm is not an http(s) URL")
        }
        guard scheme == "https" || allowsPlainHTTP else {
            throw RegistryError.insecureTokenRealm(registry: registry, realm: realm)
        }
        if let host = url.host, let reason = SpecialAddress.reason(forHost: host) {
            throw RegistryError.forbiddenTokenRealm(registry: registry, realm: realm, reason: reason)
        }

        var request = makeRequest()
        // Checked again on the address connected to, so a name resolving to a
        // metadata service is refused too.
        request.forbidsSpecialAddresses = true
        logger.debug("registry \(registry): token for \(scopes.map(\.description).joined(separator: " ")) "
                     + "from \(Redaction.url(realm))")
        let response: HTTPResponse
        do {
            response = try http.send(request, bodyLimit: 1 << 20)
        } catch let HTTPError.forbiddenAddress(_, address, reason) {
            throw RegistryError.forbiddenTokenRealm(registry: registry, realm: realm,
                                                    reason: "\(reason) (\(address))")
        } catch let error as HTTPError {
            throw RegistryError.unreachable(registry: registry, underlying: error)
        }
        guard response.status == 200 else {
            let summary = RegistryAuthenticator.scrub(DistributionErrors.summary(of: response), secrets: secrets)
            let detail = "token server answered \(summary)"
            if RetryPolicy.transientStatuses.contains(response.status) {
                throw RegistryError.busy(registry: registry, operation: "issue a token at \(Redaction.url(realm))",
                                         status: response.status, detail: detail,
                                         retryAfter: RetryPolicy.retryAfter(response.header("retry-after")))
            }
            if response.status == 401 || response.status == 403 {
                throw RegistryError.refused(registry: registry, repository: target.repository,
                                            access: target.access, status: response.status, detail: detail,
                                            hadCredential: credential != nil)
            }
            throw RegistryError.unexpectedResponse(registry: registry,
                                                   operation: "issue a token at \(Redaction.url(realm))",
                                                   status: response.status, detail: detail)
        }
        let decoded: Response
        do {
            decoded = try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw RegistryError.invalidTokenResponse(registry: registry, realm: realm,
                                                     reason: "the answer is not token JSON")
        }
        guard let token = decoded.token ?? decoded.accessToken, !token.isEmpty else {
            throw RegistryError.invalidTokenResponse(registry: registry, realm: realm,
                                                     reason: "neither 'token' nor 'access_token' is set")
        }
        let lifetime = decoded.expiresIn.flatMap { $0 > 0 ? $0 : nil } ?? TokenRequest.defaultLifetime
        return Token(token: token, lifetime: lifetime)
    }

    /// The secrets this request carries, never to be quoted back.
    private var secrets: [String] {
        switch credential {
        case let .basic(username, password)?:
            return [password, Data("\(username):\(password)".utf8).base64EncodedString()]
        case let .identityToken(token)?, let .registryToken(token)?:
            return [token]
        case nil:
            return []
        }
    }

    private func makeRequest() -> HTTPRequest {
        if case let .identityToken(refreshToken)? = credential {
            var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "ko")]
            if let service { form.append(("service", service)) }
            // The OAuth2 form carries all scopes in one space-separated value.
            if !scopes.isEmpty { form.append(("scope", scopes.map(\.description).joined(separator: " "))) }
            return HTTPRequest(method: "POST", url: realm,
                               headers: [("Content-Type", "application/x-www-form-urlencoded")],
                               body: .bytes(Array(FormEncoding.encode(form).utf8)))
        }
        var query: [(String, String)] = []
        if let service { query.append(("service", service)) }
        query += scopes.map { ("scope", $0.description) }
        var headers: [(name: String, value: String)] = []
        if case let .basic(username, password)? = credential {
            query.append(("account", username))
            headers.append(("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()))
        }
        let separator = realm.contains("?") ? "&" : "?"
        let url = query.isEmpty ? realm : realm + separator + FormEncoding.encode(query)
        return HTTPRequest(url: url, headers: headers)
    }
}

/// `application/x-www-form-urlencoded` and query strings.
enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
