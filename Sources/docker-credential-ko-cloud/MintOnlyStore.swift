import KoCreds

/// The store of a helper that only mints: it holds nothing, lists nothing,
/// and refuses to keep what it is given.
struct MintOnlyStore: CredentialStore {
    struct Refusal: Error, CustomStringConvertible {
        var description: String {
            "docker-credential-ko-cloud keeps no credentials, it mints cloud registry tokens; "
                + "store them with docker-credential-ko instead"
        }
    }

    func store(_ credential: Credential, forServer server: String) throws { throw Refusal() }
    func credential(forServer server: String) throws -> Credential? { nil }
    func erase(server: String) throws {}
    func list() throws -> [String: String] { [:] }
}
