import Foundation

/// Asks the gcloud CLI for its current access token:
/// `gcloud config config-helper --format=json` prints
/// `{"credential": {"access_token": …, "token_expiry": RFC 3339}, …}`.
struct GcloudConfigHelper {
    let environment: CloudEnvironment
    let registry: String

    func mint(executable: String) throws -> CloudToken {
        let command = "gcloud config config-helper --format=json"
        func fail(_ reason: String) -> CloudCredentialError {
            .commandFailed(provider: "Google", registry: registry, command: command, reason: reason)
        }
        let now = environment.now()
        let output: CloudCommand.Output
        do {
            output = try CloudCommand.run(executable: executable,
                                          arguments: ["config", "config-helper", "--format=json"],
                                          environment: environment.variables, timeout: 120)
        } catch {
            throw fail("\(error)")
        }
        guard output.status == 0 else {
            let detail = output.stderrLine.isEmpty ? "" : ": \(output.stderrLine)"
            throw fail("exit status \(output.status)\(detail); run 'gcloud auth login'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any],
              let credential = object["credential"] as? [String: Any],
              let token = credential["access_token"] as? String, !token.isEmpty else {
            throw fail("its JSON has no credential.access_token; run 'gcloud auth login'")
        }
        let expiry = (credential["token_expiry"] as? String).flatMap(CloudTimestamp.parse)
            ?? now.addingTimeInterval(600)
        return CloudToken(username: GoogleTokenExchange.username, secret: token, issuedAt: now, expiresAt: expiry)
    }
}
