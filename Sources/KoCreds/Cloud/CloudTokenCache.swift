import Foundation

/// Tokens minted in this process, keyed by a hash of what minted them.
///
/// Shared by every `CloudCredentialProvider` of the process, so that a build
/// pushing many images asks each token endpoint once.
final class CloudTokenCache: @unchecked Sendable {
    /// The cache of the process.
    static let shared = CloudTokenCache()

    private let lock = NSLock()
    private var tokens: [String: CloudToken] = [:]

    init() {}

    /// The token stored under `key` if it is still fresh at `now`.
    func token(forKey key: String, now: Date) -> CloudToken? {
        lock.lock()
        defer { lock.unlock() }
        guard let token = tokens[key] else { return nil }
        if token.isFresh(at: now) { return token }
        tokens[key] = nil
        return nil
    }

    func store(_ token: CloudToken, forKey key: String) {
        lock.lock()
        defer { lock.unlock() }
        tokens[key] = token
    }
}
