/// A place that keeps credentials by server address: the keyring, an external
/// credential helper, or config.json's `auths`.
///
/// Server strings are passed through as given; each store decides how far it
/// normalizes them.
public protocol CredentialStore {
    /// Stores `credential` for `server`, replacing what was stored for it.
    func store(_ credential: Credential, forServer server: String) throws
    /// The credential stored for `server`, or nil when there is none.
    func credential(forServer server: String) throws -> Credential?
    /// Removes what is stored for `server`; removing nothing is not an error.
    func erase(server: String) throws
    /// Stored server strings and their usernames. Never loads secrets.
    func list() throws -> [String: String]
}
