/// A credential for one registry, as the Docker CLI's config and credential
/// helpers express them.
public enum RegistryCredential: Sendable, Equatable {
    /// Username and password, sent as Basic or exchanged at a token realm.
    case basic(username: String, password: String)
    /// An OAuth2 refresh token (`identitytoken`, helper username `<token>`),
    /// exchanged at the token realm with `grant_type=refresh_token`.
    case identityToken(String)
    /// A bearer token used as is (`registrytoken`).
    case registryToken(String)
}

/// Where the registry client gets credentials from. KoImage stores none; `ko`
/// supplies a source backed by KoCreds (config.json, helpers, keyring, cloud).
public protocol RegistryCredentialSource: Sendable {
    /// The credential for `registry` (a host with optional port, such as
    /// `127.0.0.1:5000` or `index.docker.io`), or nil for anonymous access.
    func credential(forRegistry registry: String) throws -> RegistryCredential?
}

/// A source that never has credentials.
public struct AnonymousCredentials: RegistryCredentialSource {
    public init() {}
    public func credential(forRegistry registry: String) throws -> RegistryCredential? { nil }
}
