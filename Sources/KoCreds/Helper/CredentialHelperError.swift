/// Failures talking to an external credential helper. Messages never contain
/// what the helper printed on success, since that holds the secret.
public enum CredentialHelperError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `docker-credential-<name>` is not on PATH.
    case notInstalled(program: String)
    /// The program could not be started.
    case cannotStart(program: String, reason: String)
    /// The program ran longer than the time limit and was killed.
    case timedOut(program: String, action: String, seconds: Int)
    /// The program answered with an error (its first output line, without secrets).
    case failed(program: String, action: String, message: String)
    /// The program's answer could not be read.
    case invalidAnswer(program: String, action: String, reason: String)
    /// The credential cannot be kept by a helper (only config.json holds registry tokens).
    case unsupportedCredential(program: String)

    public var description: String {
        switch self {
        case let .notInstalled(program):
            return "credential helper \(program) is not installed (not found on PATH); install it, "
                + "or remove it from credsStore/credHelpers in the Docker config"
        case let .cannotStart(program, reason):
            return "cannot run credential helper \(program): \(reason)"
        case let .timedOut(program, action, seconds):
            return "credential helper \(program) did not answer '\(action)' within \(seconds)s and was stopped; "
                + "it may be waiting for an unlock prompt: unlock its store and retry"
        case let .failed(program, action, message):
            return "credential helper \(program) failed to \(action): \(message)"
        case let .invalidAnswer(program, action, reason):
            return "credential helper \(program) gave an unreadable answer to '\(action)': \(reason)"
        case let .unsupportedCredential(program):
            return "credential helper \(program) cannot store a registry token; only config.json auths can"
        }
    }
}
