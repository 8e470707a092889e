import Foundation

/// How often, and for how long, a registry operation that failed for a
/// transient reason is tried again.
///
/// Transient: the connection was refused, reset, stalled or cut short; the
/// registry or token server answered 408, 429, 500, 502, 503 or 504. Waits grow
/// exponentially from `initialDelay` up to `maximumDelay`, each drawn at random
/// between half and all of its nominal length ("jitter", so that many clients
/// do not retry in step), and never shorter than a `Retry-After` the server
/// asked for. An operation gives up after `maximumAttempts`, or as soon as the
/// next wait would end past `budget` seconds from its first attempt.
///
/// From the environment: `KO_RETRY_BUDGET` (seconds, `0` disables retries) and
/// `KO_RETRY_ATTEMPTS`.
public struct RetryPolicy: Sendable {
    /// Tries per operation, the first included.
    public var maximumAttempts: Int
    /// Nominal wait before the second try, in seconds.
    public var initialDelay: Double
    /// Longest nominal wait between two tries, in seconds.
    public var maximumDelay: Double
    /// Seconds an operation may spend, waits included, before it is not tried again.
    public var budget: Double

    /// Defaults: 5 tries, waits from 0.5 s doubling up to 10 s, within 60 s.
    public init(maximumAttempts: Int = 5, initialDelay: Double = 0.5, maximumDelay: Double = 10,
                budget: Double = 60) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = max(0, initialDelay)
        self.maximumDelay = max(self.initialDelay, maximumDelay)
        self.budget = max(0, budget)
    }

    /// One try only.
    public static let none = RetryPolicy(maximumAttempts: 1, budget: 0)

    /// The defaults, changed by `KO_RETRY_BUDGET` and `KO_RETRY_ATTEMPTS` when
    /// they hold numbers.
    public init(environment: [String: String]) {
        self.init()
        if let text = environment["KO_RETRY_BUDGET"], let seconds = Double(text), seconds >= 0,
           seconds.isFinite {
            budget = seconds
            if seconds == 0 { maximumAttempts = 1 }
        }
        if let text = environment["KO_RETRY_ATTEMPTS"], let attempts = Int(text), attempts >= 1 {
            maximumAttempts = attempts
        }
    }

    /// Whether a second try can ever happen.
    public var retries: Bool { maximumAttempts > 1 && budget > 0 }

    /// The wait before try `attempt + 1`, or nil when the policy says stop:
    /// `attempt` tries were made, `elapsed` seconds ago the first started, and
    /// the server asked to wait `retryAfter` seconds (when it said).
    public func delay(after attempt: Int, elapsed: Double, retryAfter: Double?,
               random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double? {
        guard attempt < maximumAttempts else { return nil }
        let nominal = min(maximumDelay, initialDelay * pow(2, Double(attempt - 1)))
        var wait = nominal > 0 ? random((nominal / 2)...nominal) : 0
        if let retryAfter { wait = max(wait, retryAfter) }
        guard elapsed + wait <= budget else { return nil }
        return wait
    }

    /// The seconds a `Retry-After` value asks for: delta-seconds, or an HTTP
    /// date (RFC 9110 §10.2.3). Nil when absent or unreadable.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Statuses that mean "try again later".
    public static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]
}
