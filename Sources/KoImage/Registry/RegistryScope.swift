/// One resource scope of a bearer token request, such as
/// `repository:acme/app:pull,push` (distribution "Token Scope Documentation").
struct RegistryScope: Hashable, Sendable, CustomStringConvertible {
    let repository: String
    let actions: [String]

    static func pull(_ repository: String) -> RegistryScope {
        RegistryScope(repository: repository, actions: ["pull"])
    }

    static func push(_ repository: String) -> RegistryScope {
        RegistryScope(repository: repository, actions: ["pull", "push"])
    }

    static func scopes(for access: RegistryAccess, _ repository: String) -> [RegistryScope] {
        access == .push ? [push(repository)] : [pull(repository)]
    }

    var description: String { "repository:\(repository):\(actions.joined(separator: ","))" }

    /// Whether a token granted for `self` also serves a request for `other`.
    func covers(_ other: RegistryScope) -> Bool {
        repository == other.repository && Set(other.actions).isSubset(of: Set(actions))
    }
}
