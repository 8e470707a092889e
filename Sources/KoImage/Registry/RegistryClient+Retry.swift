import Foundation
import KoHTTP

/// Retrying whole operations when they fail for a transient reason.
extension RegistryClient {
    /// Whether an error is worth another try, and how long the server asked to wait.
    enum Transience: Equatable {
        case permanent
        case transient(retryAfter: Double?)
    }

    /// A registry that refuses the very first connection is a wrong host or
    /// port, so the user hears at once (as with ko); one that answered
    /// earlier in this run and now refuses is restarting, and is waited for.
    func transience(of error: Error) -> Transience {
        if case let RegistryError.unreachable(registry, .cannotConnect) = error,
           !authenticator.hasAnswered(registry) {
            return .permanent
        }
        return RegistryClient.transience(of: error)
    }

    static func transience(of error: Error) -> Transience {
        switch error {
        case let RegistryError.busy(_, _, _, _, retryAfter):
            return .transient(retryAfter: retryAfter)
        case let RegistryError.unreachable(_, underlying) where underlying.isTransient:
            return .transient(retryAfter: nil)
        case let error as HTTPError where error.isTransient:
            return .transient(retryAfter: nil)
        default:
            return .permanent
        }
    }

    /// Runs `body` (one try of `operation` on `registry`, given the try's
    /// number from 1) until it returns, fails for good, or the `RetryPolicy`
    /// is spent, which ends in `RegistryError.retriesExhausted`.
    ///
    /// `body` must be safe to run again from the start: every try repeats
    /// the whole operation (an upload restarts on a new session).
    func retrying<T>(_ operation: String, registry: String, _ body: (Int) throws -> T) throws -> T {
        let started = Date()
        var attempt = 1
        while true {
            do {
                return try body(attempt)
            } catch {
                guard case let .transient(retryAfter) = transience(of: error) else { throw error }
                let elapsed = Date().timeIntervalSince(started)
                guard retry.retries else { throw error }
                guard let wait = retry.delay(after: attempt, elapsed: elapsed, retryAfter: retryAfter) else {
                    throw RegistryError.retriesExhausted(registry: registry, operation: operation,
                                                         attempts: attempt, seconds: elapsed, last: "\(error)")
                }
                logger.warning("could not \(operation) (\(error)); retrying in "
                               + String(format: "%.1f", wait) + "s (attempt \(attempt + 1) of "
                               + "\(retry.maximumAttempts))")
                Thread.sleep(forTimeInterval: wait)
                attempt += 1
            }
        }
    }
}
