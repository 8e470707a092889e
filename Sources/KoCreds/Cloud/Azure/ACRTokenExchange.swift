import Foundation
import KoCrypto
import KoHTTP
import KoLog

/// Mints an ACR refresh token for a service principal or a workload identity:
/// 1. an Entra ID token by client credentials, from
///    `$AZURE_AUTHORITY_HOST/<tenant>/oauth2/v2.0/token` with a client secret
///    or a federated client assertion
///    (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow);
/// 2. traded at `https://<registry>/oauth2/exchange`
///    (`grant_type=access_token`, `service`, `tenant`, `access_token`) for
///    an ACR refresh token, which docker clients send as the password of
///    `00000000-0000-0000-0000-000000000000`.
///
/// The exchange URL is the registry itself; `KO_ACR_EXCHANGE_URL` replaces
/// it (a full URL, e.g. `http://127.0.0.1:5000/oauth2/exchange`) so tests
/// and proxies can aim it elsewhere. `KO_ACR_TOKEN_SCOPE` replaces the
/// Entra ID scope (default: the cloud's Azure Resource Manager `.default`;
/// registries that refuse ARM tokens take
/// `https://containerregistry.azure.net/.default`).
struct ACRTokenExchange {
    static let username = "00000000-0000-0000-0000-000000000000"

    /// The service principal: a client secret or a federated token file.
    struct Identity: Equatable {
        enum Proof: Equatable {
            case clientSecret(String)
            case federatedTokenFile(String)
        }
        var tenantID: String
        var clientID: String
        var proof: Proof

        /// The identity `AZURE_TENANT_ID` / `AZURE_CLIENT_ID` with
        /// `AZURE_CLIENT_SECRET` or `AZURE_FEDERATED_TOKEN_FILE` describe,
        /// or nil when they are not all set.
        init?(environment: CloudEnvironment) {
            guard let tenant = environment["AZURE_TENANT_ID"], let client = environment["AZURE_CLIENT_ID"] else {
                return nil
            }
            if let secret = environment["AZURE_CLIENT_SECRET"] {
                proof = .clientSecret(secret)
            } else if let file = environment["AZURE_FEDERATED_TOKEN_FILE"] {
                proof = .federatedTokenFile(file)
            } else {
                return nil
            }
            tenantID = tenant
            clientID = client
        }

        /// What identifies it in the token cache key (the secret is hashed
        /// there, never stored).
        var cacheIdentity: [String] {
            switch proof {
            case let .clientSecret(secret): return ["secret", tenantID, clientID, secret]
            case let .federatedTokenFile(path): return ["federated", tenantID, clientID, path]
            }
        }
    }

    let registry: ACRRegistry
    let identity: Identity
    let environment: CloudEnvironment
    let http: HTTPClient
    let logger: Logger

    var authorityHost: String {
        let host = environment["AZURE_AUTHORITY_HOST"] ?? registry.cloud.authorityHost
        return host.hasSuffix("/") ? String(host.dropLast()) : host
    }

    var tokenURL: String { "\(authorityHost)/\(identity.tenantID)/oauth2/v2.0/token" }
    var exchangeURL: String { environment["KO_ACR_EXCHANGE_URL"] ?? "https://\(registry.host)/oauth2/exchange" }
    var scope: String { environment["KO_ACR_TOKEN_SCOPE"] ?? registry.cloud.managementScope }

    var exchange: CloudExchange {
        CloudExchange(http: http, provider: "Azure", registry: registry.host, logger: logger)
    }

    func mint() throws -> CloudToken {
        let entraToken = try entraIDToken()
        let now = environment.now()
        let body = CloudExchange.formBody([
            ("grant_type", "access_token"), ("service", registry.host), ("tenant", identity.tenantID),
            ("access_token", entraToken),
        ])
        let request = HTTPRequest(method: "POST", url: exchangeURL,
                                  headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                  body: .bytes(body))
        let response = try exchange.send(
            request, secrets: [entraToken],
            hint: "check that client \(identity.clientID) has a role such as AcrPull on \(registry.host)")
        let object = try exchange.jsonObject(response)
        guard let refreshToken = object["refresh_token"] as? String, !refreshToken.isEmpty else {
            throw exchange.malformed(response.url, "no refresh_token")
        }
        let expiry = Self.jwtExpiry(refreshToken) ?? now.addingTimeInterval(3 * 3600)
        return CloudToken(username: Self.username, secret: refreshToken, issuedAt: now, expiresAt: expiry)
    }

    /// The Entra ID access token of the identity, by client credentials.
    private func entraIDToken() throws -> String {
        var fields: [(String, String)] = [
            ("client_id", identity.clientID), ("scope", scope), ("grant_type", "client_credentials"),
        ]
        var secrets: [String] = []
        switch identity.proof {
        case let .clientSecret(secret):
            fields.append(("client_secret", secret))
            secrets.append(secret)
        case let .federatedTokenFile(path):
            let assertion: String
            do {
                assertion = try environment.readFile(path).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CloudCredentialError.invalidConfiguration(
                    provider: "Azure", registry: registry.host,
                    reason: "cannot read AZURE_FEDERATED_TOKEN_FILE \(path): \(error.localizedDescription)")
            }
            fields.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            fields.append(("client_assertion", assertion))
            secrets.append(assertion)
        }
        let request = HTTPRequest(method: "POST", url: tokenURL,
                                  headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                  body: .bytes(CloudExchange.formBody(fields)))
        let response = try exchange.send(
            request, secrets: secrets,
            hint: "check AZURE_TENANT_ID, AZURE_CLIENT_ID and the client's secret or federated credential")
        let object = try exchange.jsonObject(response)
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            throw exchange.malformed(response.url, "no access_token")
        }
        return token
    }

    /// The `exp` claim of a JWT, read without verifying it: only to know
    /// when to mint again.
    static func jwtExpiry(_ token: String) -> Date? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
              let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let exp = object["exp"] as? Double else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
