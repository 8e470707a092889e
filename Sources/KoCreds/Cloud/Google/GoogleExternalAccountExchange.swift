import Foundation
import KoHTTP

/// Workload identity federation: reads the subject token from a file or an
/// executable, trades it at the Security Token Service
/// (https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token),
/// then impersonates a service account when the configuration names one.
struct GoogleExternalAccountExchange {
    let base: GoogleTokenExchange
    let account: GoogleExternalAccount
    /// The configuration file, for messages.
    let path: String

    private var registry: String { base.registry }

    func mint() throws -> CloudToken {
        let subjectToken = try readSubjectToken()
        let now = base.environment.now()
        var fields: [(String, String)] = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("audience", account.audience),
            ("scope", GoogleServiceAccountAssertion.scope),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            ("subject_token", subjectToken),
            ("subject_token_type", account.subjectTokenType),
        ]
        var headers: [(name: String, value: String)] = []
        var secrets = [subjectToken]
        if let clientID = account.clientID, let clientSecret = account.clientSecret {
            let basic = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
            headers.append((name: "Authorization", value: "Basic \(basic)"))
            secrets.append(clientSecret)
        } else if let project = account.workforcePoolUserProject {
            let options = try JSONSerialization.data(withJSONObject: ["userProject": project], options: [.sortedKeys])
            fields.append(("options", String(decoding: options, as: UTF8.self)))
        }
        let stsToken = try base.postForAccessToken(
            account.tokenURL, body: CloudExchange.formBody(fields), headers: headers, secrets: secrets,
            hint: "check the audience and the subject token of \(path)", now: now)
        guard let url = account.impersonationURL else { return stsToken }
        return try base.impersonate(url: url, sourceToken: stsToken.secret, delegates: [],
                                    lifetime: account.impersonationLifetime)
    }

    // MARK: Subject token

    private func readSubjectToken() throws -> String {
        switch account.source {
        case let .file(sourcePath, jsonField):
            return try readFileToken(sourcePath, jsonField: jsonField)
        case let .executable(command, timeoutMillis, outputFile):
            return try runExecutable(command, timeoutMillis: timeoutMillis, outputFile: outputFile)
        }
    }

    private func invalid(_ reason: String) -> CloudCredentialError {
        .invalidConfiguration(provider: "Google", registry: registry, reason: "\(reason) (configured in \(path))")
    }

    private func readFileToken(_ sourcePath: String, jsonField: String?) throws -> String {
        let text: String
        do {
            text = try base.environment.readFile(sourcePath)
        } catch {
            throw invalid("cannot read the subject token file \(sourcePath): \(error.localizedDescription)")
        }
        guard let jsonField else {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw invalid("the subject token file \(sourcePath) is empty") }
            return token
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let token = object[jsonField] as? String, !token.isEmpty else {
            throw invalid("the subject token file \(sourcePath) has no \"\(jsonField)\" string")
        }
        return token
    }

    /// Runs an executable source (https://google.aip.dev/auth/4117): only
    /// when `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`, with the documented
    /// environment, reusing an unexpired answer in `output_file`.
    private func runExecutable(_ command: String, timeoutMillis: Int, outputFile: String?) throws -> String {
        let environment = base.environment
        guard environment["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"] == "1" else {
            throw invalid("an executable credential source runs only when GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1")
        }
        let shown = CloudExchange.oneLine(command, limit: 80)
        if let outputFile, let text = try? environment.readFile(outputFile),
           let token = try? executableToken(Array(text.utf8), command: shown, requireExpiry: true) {
            return token
        }
        var variables = environment.variables
        variables["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"] = account.audience
        variables["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] = account.subjectTokenType
        variables["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"] = "0"
        if let outputFile { variables["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] = outputFile }
        if let url = account.impersonationURL, let email = Self.serviceAccountEmail(url) {
            variables["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] = email
        }
        let timeout = TimeInterval(min(max(timeoutMillis, 5_000), 120_000)) / 1000
        let output: CloudCommand.Output
        do {
            output = try CloudCommand.runShell(command, environment: variables, timeout: timeout)
        } catch {
            throw CloudCredentialError.commandFailed(provider: "Google", registry: registry, command: shown,
                                                     reason: "\(error)")
        }
        guard output.status == 0 else {
            let detail = output.stderrLine.isEmpty ? "" : ": \(output.stderrLine)"
            throw CloudCredentialError.commandFailed(provider: "Google", registry: registry, command: shown,
                                                     reason: "exit status \(output.status)\(detail)")
        }
        return try executableToken(output.stdout, command: shown, requireExpiry: outputFile != nil)
    }

    private func executableToken(_ bytes: [UInt8], command: String, requireExpiry: Bool) throws -> String {
        func fail(_ reason: String) -> CloudCredentialError {
            .commandFailed(provider: "Google", registry: registry, command: command, reason: reason)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw fail("it did not print a JSON object")
        }
        guard (object["version"] as? Int) == 1 else { throw fail("its answer lacks \"version\": 1") }
        guard (object["success"] as? Bool) == true else {
            let code = object["code"] as? String ?? "?"
            let message = object["message"] as? String ?? "no message"
            throw fail("it reported failure \(code): \(CloudExchange.oneLine(message, limit: 200))")
        }
        let expiry = object["expiration_time"] as? Double
        if requireExpiry && expiry == nil { throw fail("its answer lacks expiration_time") }
        if let expiry, Date(timeIntervalSince1970: expiry) <= base.environment.now() {
            throw fail("the token it gave expired at \(Int(expiry))")
        }
        let type = object["token_type"] as? String ?? ""
        let key = type == "urn:ietf:params:oauth:token-type:saml2" ? "saml_response" : "id_token"
        guard let token = object[key] as? String, !token.isEmpty else {
            throw fail("its answer of token_type \(type) lacks \(key)")
        }
        return token
    }

    /// `name@project.iam.gserviceaccount.com` from an impersonation URL
    /// `.../serviceAccounts/<email>:generateAccessToken`.
    static func serviceAccountEmail(_ url: String) -> String? {
        guard let start = url.range(of: "/serviceAccounts/"),
              let end = url.range(of: ":generateAccessToken", range: start.upperBound..<url.endIndex) else {
            return nil
        }
        return String(url[start.upperBound..<end.lowerBound]).removingPercentEncoding
    }
}
