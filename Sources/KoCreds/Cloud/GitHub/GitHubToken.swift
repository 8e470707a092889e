/// The GitHub Container Registry credential from `GITHUB_TOKEN` (as GitHub
/// Actions provides it): ghcr.io accepts any non-empty username with a token
/// that has `packages` scope, so `GITHUB_ACTOR` is used when set.
enum GitHubToken {
    static let fallbackUsername = "x-access-token"

    /// Username and token, or nil when `GITHUB_TOKEN` is not set.
    static func credential(environment: CloudEnvironment) -> (username: String, secret: String)? {
        guard let token = environment["GITHUB_TOKEN"] else { return nil }
        return (environment["GITHUB_ACTOR"] ?? fallbackUsername, token)
    }
}
