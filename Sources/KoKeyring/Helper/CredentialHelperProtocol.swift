import KoJSON

/// The wire format of docker credential helpers, shared by our helper (the
/// server side) and the code that runs other helpers (the client side).
///
/// https://github.com/docker/docker-credential-helpers#development: the
/// action is the only argument; `store` reads `{"ServerURL","Username",
/// "Secret"}` on stdin, `get` and `erase` read the server URL, `get` answers
/// with the same JSON, `list` with `{"<server>":"<username>"}`. Errors are one
/// line on stdout with exit status 1; the wordings below are matched verbatim
/// by clients, so they must not change.
public enum CredentialHelperProtocol {
    /// `get` found nothing; clients treat this answer as "no credentials".
    public static let notFoundMessage = "credentials not found in native keychain"
    /// The server URL was empty.
    public static let missingServerURLMessage = "no credentials server URL"
    /// `store` got an empty username.
    public static let missingUsernameMessage = "no credentials username"

    /// The helper protocol's actions.
    public static let actions = ["store", "get", "erase", "list", "version"]

    /// The JSON of a `store` request or a `get` answer.
    public static func credentialsJSON(server: String, credential: Credential) -> String {
        let object = JSONObject([
            .init(key: "ServerURL", value: .string(server)),
            .init(key: "Username", value: .string(credential.username)),
            .init(key: "Secret", value: .string(credential.secret)),
        ])
        return JSONWriter.string(.object(object), options: goEncoding)
    }

    /// What the Go helpers' `json.Encoder` writes: compact, with `<`, `>` and
    /// `&` escaped, so a client comparing bytes sees ours as theirs.
    private static let goEncoding = JSONWriter.Options(escapesHTML: true)

    /// Reads `{"ServerURL","Username","Secret"}`; member names match without
    /// regard to case, as Go's decoder (which all docker helpers use) does.
    /// Missing members read as empty strings.
    public static func parseCredentials(_ bytes: [UInt8]) throws
        -> (server: String, username: String, secret: String) {
        guard case let .object(object) = try JSONParser.parse(bytes) else {
            throw JSONSyntaxError(line: 1, column: 1, reason: "expected a JSON object")
        }
        func member(_ name: String) throws -> String {
            let match = object.members.last { $0.key == name }
                ?? object.members.last { $0.key.lowercased() == name.lowercased() }
            guard let value = match?.value else { return "" }
            switch value {
            // libsecret's attributes and secrets are C strings: a NUL would
            // silently cut the value and store it under another server's name.
            case let .string(text) where text.utf8.contains(0):
                throw JSONSyntaxError(line: 1, column: 1, reason: "\(name) must not contain a NUL character")
            case let .string(text): return text
            case .null: return ""
            default: throw JSONSyntaxError(line: 1, column: 1, reason: "\(name) must be a string")
            }
        }
        return (try member("ServerURL"), try member("Username"), try member("Secret"))
    }

    /// The JSON of a `list` answer: keys in Go's map order (sorted by their
    /// UTF-8 bytes), escaped as Go escapes them.
    public static func listJSON(_ entries: [String: String]) -> String {
        let members = entries.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }
        return JSONWriter.string(.object(JSONObject(members)), options: .canonical)
    }

    /// Reads a `list` answer.
    public static func parseList(_ bytes: [UInt8]) throws -> [String: String] {
        guard case let .object(object) = try JSONParser.parse(bytes) else {
            throw JSONSyntaxError(line: 1, column: 1, reason: "expected a JSON object")
        }
        var result: [String: String] = [:]
        for member in object.members {
            result[member.key] = member.value.stringValue ?? ""
        }
        return result
    }
}
