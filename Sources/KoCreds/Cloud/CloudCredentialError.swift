/// Why a cloud registry credential could not be minted.
///
/// Messages are one line, name the registry and the endpoint, quote the
/// provider's own error text, and never contain a secret.
public enum CloudCredentialError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A token endpoint answered with a non-success status.
    case exchangeFailed(provider: String, registry: String, endpoint: String, status: Int, reason: String,
                        hint: String)
    /// The request never got an HTTP answer (connection refused, TLS, timeout).
    case transport(provider: String, registry: String, endpoint: String, message: String)
    /// A success answer that does not have the documented shape.
    case malformedResponse(provider: String, registry: String, endpoint: String, reason: String)
    /// A credential file or environment setting that cannot be used.
    case invalidConfiguration(provider: String, registry: String, reason: String)
    /// A credential command (credential_process, executable source, gcloud) failed.
    case commandFailed(provider: String, registry: String, command: String, reason: String)

    public var description: String {
        switch self {
        case let .exchangeFailed(provider, registry, endpoint, status, reason, hint):
            let why = reason.isEmpty ? "" : ": \(reason)"
            let next = hint.isEmpty ? "" : "; \(hint)"
            return "\(provider) token exchange for \(registry) at \(endpoint) failed (HTTP \(status))\(why)\(next)"
        case let .transport(provider, registry, endpoint, message):
            return "\(provider) token exchange for \(registry) could not reach \(endpoint): \(message)"
        case let .malformedResponse(provider, registry, endpoint, reason):
            return "\(provider) token endpoint \(endpoint) gave an unusable answer for \(registry): \(reason)"
        case let .invalidConfiguration(provider, registry, reason):
            return "\(provider) credentials for \(registry) cannot be used: \(reason)"
        case let .commandFailed(provider, registry, command, reason):
            return "\(provider) credential command '\(command)' for \(registry) failed: \(reason)"
        }
    }
}
