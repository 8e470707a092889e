import Foundation
import KoHTTP
import KoLog

/// Mints a Google OAuth2 access token (scope `cloud-platform`) from a
/// `GoogleTokenSource`; registries take it as the password of
/// `oauth2accesstoken`.
struct GoogleTokenExchange {
    static let username = "oauth2accesstoken"

    let environment: CloudEnvironment
    let http: HTTPClient
    let logger: Logger
    let registry: String

    var exchange: CloudExchange {
        CloudExchange(http: http, provider: "Google", registry: registry, logger: logger)
    }

    func mint(from source: GoogleTokenSource) throws -> CloudToken {
        switch source {
        case let .file(file, path, _):
            return try mint(from: file, path: path)
        case let .metadataServer(host):
            return try mintFromMetadataServer(host: host)
        case let .gcloud(executable):
            return try GcloudConfigHelper(environment: environment, registry: registry)
                .mint(executable: executable)
        }
    }

    func mint(from file: GoogleCredentialFile, path: String) throws -> CloudToken {
        let now = environment.now()
        switch file {
        case let .serviceAccount(clientEmail, privateKey, privateKeyID, tokenURI):
            let assertion: String
            do {
                assertion = try GoogleServiceAccountAssertion.make(
                    clientEmail: clientEmail, privateKeyPEM: privateKey, privateKeyID: privateKeyID,
                    audience: tokenURI, issuedAt: now)
            } catch {
                throw CloudCredentialError.invalidConfiguration(
                    provider: "Google", registry: registry, reason: "the private key in \(path) is unusable: \(error)")
            }
            let body = CloudExchange.formBody([
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion),
            ])
            return try postForAccessToken(tokenURI, body: body, secrets: [assertion, privateKey],
                                          hint: "check the service account key \(clientEmail) in \(path)", now: now)
        case let .authorizedUser(clientID, clientSecret, refreshToken, tokenURI):
            let body = CloudExchange.formBody([
                ("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
                ("refresh_token", refreshToken),
            ])
            return try postForAccessToken(tokenURI, body: body, secrets: [clientSecret, refreshToken],
                                          hint: "run 'gcloud auth application-default login' again", now: now)
        case let .externalAccount(account):
            return try GoogleExternalAccountExchange(base: self, account: account, path: path).mint()
        case let .impersonatedServiceAccount(source, url, delegates):
            let sourceToken = try mint(from: source, path: path)
            return try impersonate(url: url, sourceToken: sourceToken.secret, delegates: delegates, lifetime: 3600)
        }
    }

    /// POSTs a form to an OAuth2 token endpoint and reads `access_token` and
    /// `expires_in` (RFC 6749 §5.1).
    func postForAccessToken(_ url: String, body: [UInt8], headers: [(name: String, value: String)] = [],
                            secrets: [String], hint: String, now: Date) throws -> CloudToken {
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                                            (name: "Accept", value: "application/json")] + headers,
                                  body: .bytes(body))
        let response = try exchange.send(request, secrets: secrets, hint: hint)
        return try accessToken(from: response, now: now)
    }

    func accessToken(from response: HTTPResponse, now: Date) throws -> CloudToken {
        let object = try exchange.jsonObject(response)
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            throw exchange.malformed(response.url, "no access_token")
        }
        let lifetime = (object["expires_in"] as? Double) ?? 3600
        return CloudToken(username: Self.username, secret: token, issuedAt: now,
                          expiresAt: now.addingTimeInterval(lifetime))
    }

    /// Trades a token for one of a service account through the IAM
    /// Credentials API `generateAccessToken`
    /// (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken).
    func impersonate(url: String, sourceToken: String, delegates: [String], lifetime: Int) throws -> CloudToken {
        let now = environment.now()
        var payload: [String: Any] = [
            "scope": [GoogleServiceAccountAssertion.scope], "lifetime": "\(lifetime)s",
        ]
        if !delegates.isEmpty { payload["delegates"] = delegates }
        let body = Array(try JSONSerialization.data(withJSONObject: payload,
                                                    options: [.sortedKeys, .withoutEscapingSlashes]))
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [(name: "Content-Type", value: "application/json"),
                                            (name: "Authorization", value: "Bearer \(sourceToken)")],
                                  body: .bytes(body))
        let response = try exchange.send(request, secrets: [sourceToken],
                                         hint: "check the iam.serviceAccountTokenCreator role on the service account")
        let object = try exchange.jsonObject(response)
        guard let token = object["accessToken"] as? String, !token.isEmpty else {
            throw exchange.malformed(response.url, "no accessToken")
        }
        let expiry = (object["expireTime"] as? String).flatMap(CloudTimestamp.parse)
            ?? now.addingTimeInterval(TimeInterval(lifetime))
        return CloudToken(username: Self.username, secret: token, issuedAt: now, expiresAt: expiry)
    }

    /// The default service account's token from the metadata server
    /// (https://cloud.google.com/compute/docs/access/authenticate-workloads#applications).
    func mintFromMetadataServer(host: String) throws -> CloudToken {
        let now = environment.now()
        let url = "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
        let request = HTTPRequest(method: "GET", url: url, headers: [(name: "Metadata-Flavor", value: "Google")])
        let response = try exchange.send(request, secrets: [],
                                         hint: "check that the VM has a service account with the cloud-platform scope")
        return try accessToken(from: response, now: now)
    }
}
