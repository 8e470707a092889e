/// A source of short-lived registry credentials minted on demand (ECR,
/// Artifact Registry/GCR, ACR token exchanges), consulted only after stored
/// credentials found nothing.
///
/// The cloud exchanges in `KoCreds/Cloud` conform to this; both
/// `DockerCredentialResolver` and `docker-credential-ko get` take a list of
/// them and ask each in order.
public protocol CredentialExchange {
    /// A fresh credential for `registry` (a lowercased `host[:port]`), or nil
    /// when the registry is not one this exchange serves or it has no ambient
    /// cloud credentials to exchange.
    func credential(forRegistry registry: String) throws -> Credential?
}
