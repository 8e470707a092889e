import FoundationEssentials
import KoHTTP

extension CredentialHelperServer {
    /// The exchanges `docker-credential-ko get` consults after the keyring:
    /// the cloud providers (ECR, Google, ACR, GHCR), reading `environment`.
    public static func cloudExchanges(version: String,
                                      environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [CredentialExchange] {
        let http = HTTPClient(userAgent: "docker-credential-ko/\(version)")
        return [CloudCredentialProvider(environment: environment, http: http)]
    }
}
