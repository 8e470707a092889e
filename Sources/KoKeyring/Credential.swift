/// A username and secret for one registry, in the shape of the credential
/// helper protocol and of config.json `auths` entries.
///
/// Its description never shows the secret, so a credential that ends up in a
/// log line or an error message leaks nothing.
public struct Credential: Sendable, Equatable, CustomStringConvertible {
    /// What the secret is, which decides how a registry client uses it.
    public enum Kind: Sendable, Equatable {
        /// A password (or personal access token) sent with the username.
        case password
        /// An OAuth2 refresh token, exchanged at the registry's token realm.
        case identityToken
        /// A bearer token sent to the registry as is (`registrytoken`).
        case registryToken
    }

    /// The username the helper protocol uses to mark an identity token.
    public static let identityTokenUsername = "<token>"

    public let username: String
    public let secret: String
    public let kind: Kind

    /// A credential as a credential helper returns it: the username `<token>`
    /// marks the secret as an identity token.
    public init(username: String, secret: String) {
        self.username = username
        self.secret = secret
        self.kind = username == Credential.identityTokenUsername ? .identityToken : .password
    }

    private init(username: String, secret: String, kind: Kind) {
        self.username = username
        self.secret = secret
        self.kind = kind
    }

    /// An identity (refresh) token; stored by helpers under the username `<token>`.
    public static func identityToken(_ token: String) -> Credential {
        Credential(username: identityTokenUsername, secret: token, kind: .identityToken)
    }

    /// A registry bearer token, which only config.json `auths` can hold.
    public static func registryToken(_ token: String) -> Credential {
        Credential(username: "", secret: token, kind: .registryToken)
    }

    /// True when the secret is an identity token.
    public var isIdentityToken: Bool { kind == .identityToken }

    public var description: String {
        switch kind {
        case .password: return "Credential(username: \(username), secret: <redacted>)"
        case .identityToken: return "Credential(identity token <redacted>)"
        case .registryToken: return "Credential(registry token <redacted>)"
        }
    }
}
