import FoundationEssentials
import KoJSON

/// One `auths` entry of config.json: `auth` (base64 of `user:password`),
/// `identitytoken`, `registrytoken`, and whatever else the entry holds
/// (`email`, members of future CLI versions), which is kept as it is.
public struct AuthEntry: Sendable, Equatable {
    /// The members of the entry, in file order.
    public private(set) var object: JSONObject

    /// The members that carry a secret; storing or clearing a credential
    /// replaces all of them and leaves the rest.
    static let credentialMembers = ["auth", "username", "password", "identitytoken", "registrytoken"]

    public init(object: JSONObject = JSONObject()) {
        self.object = object
    }

    /// An entry holding `credential` the way the Docker CLI writes one.
    public init(credential: Credential) {
        self.init()
        setCredential(credential)
    }

    /// The credential the entry holds, or nil when it holds none (the `{}`
    /// entries the Docker CLI leaves beside a credential helper).
    ///
    /// A registry token wins over an identity token, which wins over the
    /// password, as in go-containerregistry. `server` and `path` only name the
    /// entry in errors.
    public func credential(server: String, path: String) throws -> Credential? {
        if let token = object["registrytoken"]?.stringValue, !token.isEmpty {
            return .registryToken(token)
        }
        if let token = object["identitytoken"]?.stringValue, !token.isEmpty {
            return .identityToken(token)
        }
        var username = object["username"]?.stringValue ?? ""
        var password = object["password"]?.stringValue ?? ""
        if let auth = object["auth"]?.stringValue, !auth.isEmpty {
            guard let decoded = AuthEntry.decodeAuth(auth) else {
                throw ConfigFileError.invalidAuth(path: path, server: server)
            }
            (username, password) = decoded
        }
        guard !username.isEmpty || !password.isEmpty else { return nil }
        return Credential(username: username, secret: password)
    }

    /// Puts `credential` in the entry, replacing any credential it held: the
    /// Docker CLI's `auth` (with an empty password beside an identity token)
    /// plus `identitytoken` or `registrytoken`.
    public mutating func setCredential(_ credential: Credential) {
        clearCredential()
        switch credential.kind {
        case .password:
            set("auth", AuthEntry.encodeAuth(username: credential.username, password: credential.secret))
        case .identityToken:
            set("identitytoken", credential.secret)
        case .registryToken:
            set("registrytoken", credential.secret)
        }
    }

    /// Sets a member in the place the Docker CLI writes it (`auth` before `email`).
    private mutating func set(_ key: String, _ value: String) {
        object = DockerConfigLayout.setting(key, to: .string(value), in: object, order: DockerConfigLayout.authFields)
    }

    /// Removes every member that carries a secret, leaving e.g. `email`.
    public mutating func clearCredential() {
        for member in AuthEntry.credentialMembers { object[member] = nil }
    }

    /// True when the entry holds any secret-carrying member.
    public var hasCredential: Bool {
        AuthEntry.credentialMembers.contains { object[$0] != nil }
    }

    /// base64 of `username:password`.
    static func encodeAuth(username: String, password: String) -> String {
        Data((username + ":" + password).utf8).base64EncodedString()
    }

    /// Splits a decoded `auth` at its first colon, dropping the NUL padding
    /// some old tools left at the end, as the Docker CLI does.
    static func decodeAuth(_ auth: String) -> (username: String, password: String)? {
        guard let data = Data(base64Encoded: auth.trimmingWhitespace()),
              let text = String(validating: Array(data), as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return nil }
        var password = Substring(text[text.index(after: colon)...])
        while password.last == "\0" { password = password.dropLast() }
        return (String(text[..<colon]), String(password))
    }
}
