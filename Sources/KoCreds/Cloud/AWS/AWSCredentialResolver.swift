import Foundation
import KoHTTP
import KoLog

/// Turns an `AWSCredentialSource` into usable keys: runs
/// `credential_process`, or trades a web identity token at STS.
struct AWSCredentialResolver {
    let environment: CloudEnvironment
    let http: HTTPClient
    let logger: Logger
    let registry: String
    /// The region whose STS answers AssumeRoleWithWebIdentity.
    let region: String
    /// The STS endpoint when no environment variable overrides it.
    let defaultSTSEndpoint: String

    func credentials(from source: AWSCredentialSource) throws -> AWSCredentials {
        switch source {
        case let .keys(credentials, _):
            return credentials
        case let .process(command, label):
            return try runCredentialProcess(command, label: label)
        case let .webIdentity(roleARN, tokenFile, sessionName, label):
            return try assumeRoleWithWebIdentity(roleARN: roleARN, tokenFile: tokenFile, sessionName: sessionName,
                                                 label: label)
        }
    }

    /// What identifies the source in the token cache key. Static keys are
    /// hashed whole (id, secret, session token), so a rotated key never
    /// reuses another key's token; a web identity is its role and token.
    func cacheIdentity(of source: AWSCredentialSource, resolved: () throws -> AWSCredentials) throws -> [String] {
        switch source {
        case let .keys(credentials, _):
            return ["keys", credentials.accessKeyID, credentials.secretAccessKey, credentials.sessionToken ?? ""]
        case .process:
            let credentials = try resolved()
            return ["keys", credentials.accessKeyID, credentials.secretAccessKey, credentials.sessionToken ?? ""]
        case let .webIdentity(roleARN, tokenFile, _, _):
            let token = (try? environment.readFile(tokenFile)) ?? ""
            return ["web-identity", roleARN, tokenFile, token, stsEndpoint]
        }
    }

    var stsEndpoint: String {
        AWSEndpoints.url(service: "STS", environment: environment, fallback: defaultSTSEndpoint)
    }

    // MARK: credential_process

    /// Runs the command and reads its JSON
    /// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
    private func runCredentialProcess(_ command: String, label: String) throws -> AWSCredentials {
        let shown = CloudExchange.oneLine(command, limit: 80)
        func fail(_ reason: String) -> CloudCredentialError {
            .commandFailed(provider: "AWS", registry: registry, command: shown, reason: "\(reason) (from \(label))")
        }
        let output: CloudCommand.Output
        do {
            output = try CloudCommand.runShell(command, environment: environment.variables, timeout: 60)
        } catch {
            throw fail("\(error)")
        }
        guard output.status == 0 else {
            throw fail("exit status \(output.status)" + (output.stderrLine.isEmpty ? "" : ": \(output.stderrLine)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any] else {
            throw fail("it did not print a JSON object")
        }
        guard (object["Version"] as? Int) == 1 else { throw fail("its JSON lacks \"Version\": 1") }
        guard let keyID = object["AccessKeyId"] as? String, !keyID.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty else {
            throw fail("its JSON lacks AccessKeyId or SecretAccessKey")
        }
        let expiration = (object["Expiration"] as? String).flatMap(CloudTimestamp.parse)
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret,
                              sessionToken: object["SessionToken"] as? String, expiration: expiration)
    }

    // MARK: STS AssumeRoleWithWebIdentity

    /// Trades the web identity token for temporary keys
    /// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
    /// The call is unsigned: the token is the proof.
    private func assumeRoleWithWebIdentity(roleARN: String, tokenFile: String, sessionName: String,
                                           label: String) throws -> AWSCredentials {
        let token: String
        do {
            token = try environment.readFile(tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CloudCredentialError.invalidConfiguration(
                provider: "AWS", registry: registry,
                reason: "cannot read the web identity token file \(tokenFile) (from \(label)): "
                    + "\(error.localizedDescription)")
        }
        let body = CloudExchange.formBody([
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ])
        let request = HTTPRequest(method: "POST", url: stsEndpoint + "/",
                                  headers: [(name: "Content-Type",
                                             value: "application/x-www-form-urlencoded; charset=utf-8"),
                                            (name: "Accept", value: "application/xml")],
                                  body: .bytes(body))
        let exchange = CloudExchange(http: http, provider: "AWS STS", registry: registry, logger: logger)
        let response = try exchange.send(request, secrets: [token],
                                         hint: "check that \(roleARN) trusts the web identity in \(tokenFile)")
        let text = String(decoding: response.body, as: UTF8.self)
        guard let keyID = CloudExchange.xmlElement("AccessKeyId", in: text),
              let secret = CloudExchange.xmlElement("SecretAccessKey", in: text) else {
            throw exchange.malformed(response.url, "no Credentials in the AssumeRoleWithWebIdentity answer")
        }
        let expiration = CloudExchange.xmlElement("Expiration", in: text).flatMap(CloudTimestamp.parse)
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret,
                              sessionToken: CloudExchange.xmlElement("SessionToken", in: text),
                              expiration: expiration)
    }
}
