import Foundation

/// A registry credential minted from a cloud identity, with its lifetime.
struct CloudToken: Codable, Equatable, Sendable {
    var username: String
    var secret: String
    /// When we received it, by our clock.
    var issuedAt: Date
    /// When the provider says it stops working.
    var expiresAt: Date

    /// Whether it is still fresh at `now`: tokens are renewed once half their
    /// lifetime has passed, so a token handed out always has at least half of
    /// its life left for the pull or push that uses it.
    func isFresh(at now: Date) -> Bool {
        let lifetime = expiresAt.timeIntervalSince(issuedAt)
        guard lifetime > 0 else { return false }
        return now >= issuedAt.addingTimeInterval(-60) && now < issuedAt.addingTimeInterval(lifetime / 2)
    }
}
