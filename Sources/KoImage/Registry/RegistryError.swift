import Foundation
import KoHTTP
import KoLog

/// What a registry request was doing, for error messages and token scopes.
public enum RegistryAccess: String, Sendable {
    case pull
    case push
}

/// Errors from talking to a registry. Messages say what failed, on which
/// registry and repository, and what to do.
public enum RegistryError: Error, CustomStringConvertible, Sendable {
    /// The registry or its token server refused the credentials or the access
    /// (401/403). `hadCredential` tells whether any credential was offered.
    case refused(registry: String, repository: String, access: RegistryAccess, status: Int,
                 detail: String, hadCredential: Bool)
    /// No manifest answers to the reference.
    case manifestNotFound(ImageReference)
    /// The repository has no blob with this digest.
    case blobNotFound(RepositoryReference, Digest)
    /// A status the protocol does not expect at this step.
    case unexpectedResponse(registry: String, operation: String, status: Int, detail: String)
    /// A status that means "try again later" (408, 429, 5xx): transient, retried
    /// by the client's `RetryPolicy`. `retryAfter` is the wait the server asked for.
    case busy(registry: String, operation: String, status: Int, detail: String, retryAfter: Double?)
    /// A transient failure went on past the `RetryPolicy`: `attempts` tries in
    /// `seconds`, the last failing with `last`.
    case retriesExhausted(registry: String, operation: String, attempts: Int, seconds: Double, last: String)
    /// The registry named a token realm ko must not send credentials to.
    case forbiddenTokenRealm(registry: String, realm: String, reason: String)
    /// Content did not hash to the digest it was fetched or pushed by.
    case digestMismatch(what: String, expected: Digest, actual: Digest)
    /// Content is not as long as its descriptor says.
    case sizeMismatch(what: String, expected: Int64, actual: Int64)
    /// The registry asked for an authentication scheme ko does not speak.
    case unsupportedChallenge(registry: String, challenge: String)
    /// A token realm over plain HTTP for a registry reached over HTTPS.
    case insecureTokenRealm(registry: String, realm: String)
    /// The token server answered 200 with something that is not a token.
    case invalidTokenResponse(registry: String, realm: String, reason: String)
    /// The registry could not be reached at all.
    case unreachable(registry: String, underlying: HTTPError)
    /// The credential source failed (helper crashed, keyring locked...).
    case credentialLookupFailed(registry: String, reason: String)
    /// `ko login` was refused: the credential does not work on this registry.
    case loginRefused(registry: String, status: Int, detail: String)
    /// The registry answered with a manifest or media type ko cannot use.
    case invalidManifest(reference: String, reason: String)
    /// An upload session URL (`Location`) that cannot be used.
    case invalidUploadLocation(registry: String, location: String)
    /// A local file to upload or download into could not be used.
    case localFile(path: String, reason: String)
    /// A blob file to upload does not hash to the digest it is pushed by:
    /// it changed or was damaged on disk after it was made. Nothing of it was sent.
    case blobFileDamaged(path: String, expected: Digest, actual: Digest)

    public var description: String {
        switch self {
        case let .refused(registry, repository, access, status, detail, hadCredential):
            return "registry \(registry) refused the \(access.rawValue) of \(repository) (\(detail)): "
                + RegistryError.hint(registry: registry, repository: repository, access: access,
                                     status: status, hadCredential: hadCredential)
        case let .manifestNotFound(reference):
            return "image \(reference) not found: the registry has no manifest for '\(reference.identifier)'"
        case let .blobNotFound(repository, digest):
            return "blob \(digest) not found in \(repository)"
        case let .unexpectedResponse(registry, operation, status, detail):
            return "registry \(registry) failed to \(operation) (\(detail.isEmpty ? "HTTP \(status)" : detail))"
        case let .busy(registry, operation, status, detail, retryAfter):
            let wait = retryAfter.map { "; it asked to wait \(Int($0.rounded(.up)))s" } ?? ""
            return "registry \(registry) failed to \(operation) (\(detail.isEmpty ? "HTTP \(status)" : detail)\(wait))"
        case let .retriesExhausted(registry, operation, attempts, seconds, last):
            let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
            return "gave up trying to \(operation) on registry \(registry) after \(tries) in "
                + String(format: "%.1f", seconds) + "s; the last one failed: \(last). The registry or the "
                + "network is failing: try again later, or allow more time with KO_RETRY_BUDGET=<seconds>"
        case let .forbiddenTokenRealm(registry, realm, reason):
            return "registry \(registry) sends credentials to the token realm \(Redaction.url(realm)), "
                + "which is \(reason); refusing (a registry must not steer clients there)"
        case let .digestMismatch(what, expected, actual):
            return "\(what) has digest \(actual), expected \(expected): the content was changed or corrupted"
        case let .sizeMismatch(what, expected, actual):
            return "\(what) is \(actual) bytes, expected \(expected)"
        case let .unsupportedChallenge(registry, challenge):
            return "registry \(registry) asks for authentication ko does not support: '\(challenge)' "
                + "(Basic and Bearer are supported)"
        case let .insecureTokenRealm(registry, realm):
            return "registry \(registry) sends credentials to \(Redaction.url(realm)) over plain HTTP; refusing "
                + "(use --insecure-registry only if you trust this network)"
        case let .invalidTokenResponse(registry, realm, reason):
            return "token server \(Redaction.url(realm)) for registry \(registry) gave no usable token: \(reason)"
        case let .unreachable(registry, underlying):
            return "cannot reach registry \(registry): \(underlying)"
        case let .credentialLookupFailed(registry, reason):
            return "cannot get credentials for registry \(registry): \(reason)"
        case let .loginRefused(registry, status, detail):
            let what = status == 401 ? "wrong username or password" : "access denied"
            return "login to \(registry) refused (\(detail)): \(what); nothing was stored"
        case let .invalidManifest(reference, reason):
            return "manifest of \(reference) cannot be used: \(reason)"
        case let .invalidUploadLocation(registry, location):
            return "registry \(registry) gave an unusable upload location '\(location)'"
        case let .localFile(path, reason):
            return "cannot use \(path): \(reason)"
        case let .blobFileDamaged(path, expected, actual):
            return "blob file \(path) does not hash to \(expected) (it hashes to \(actual)): it was damaged "
                + "or changed after it was made, so it was not uploaded; build the image again"
        }
    }

    private static func hint(registry: String, repository: String, access: RegistryAccess, status: Int,
                             hadCredential: Bool) -> String {
        guard hadCredential else { return "log in with 'ko login \(registry)'" }
        if status == 403 {
            return "the credentials for \(registry) lack \(access.rawValue) access to \(repository)"
        }
        return "the credentials for \(registry) were not accepted; run 'ko login \(registry)' to replace them"
    }
}
