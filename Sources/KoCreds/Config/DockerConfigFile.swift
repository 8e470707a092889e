#if canImport(Glibc)
import Glibc
#endif
import KoJSON

/// Docker's client configuration file, read and written the way the Docker CLI
/// does: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
///
/// Only `auths`, `credsStore` and `credHelpers` are interpreted; every other
/// member (proxies, plugins, aliases, unknown future keys) is kept exactly in
/// place. A map-valued member written more than once is read as Go reads it,
/// merged into one (see `mergingRepeatedMaps`), and written back so. Changes
/// go through `update(path:_:)`, which serializes writers with a lock and
/// replaces the file atomically.
public struct DockerConfigFile: Sendable {
    /// The path the file was read from.
    public let path: String
    /// True when the file existed when it was read.
    public let existed: Bool
    /// The whole document.
    public private(set) var root: JSONObject

    /// An empty configuration for `path`.
    public init(path: String) {
        self.path = path
        self.existed = false
        self.root = JSONObject()
    }

    /// Parses `bytes` as the content of `path`. Empty (or all-whitespace)
    /// content is an empty configuration, as for the Docker CLI.
    public init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.existed = true
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            self.root = JSONObject()
            return
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch let error as JSONSyntaxError {
            throw ConfigFileError.malformed(path: path, line: error.line, column: error.column,
                                            reason: error.reason)
        }
        guard case let .object(object) = value else {
            throw ConfigFileError.malformed(path: path, line: 1, column: 1,
                                            reason: "the top level must be a JSON object")
        }
        self.root = try DockerConfigFile.mergingRepeatedMaps(object, path: path)
    }

    // MARK: - Location

    /// The config directory: `$DOCKER_CONFIG`, else `$HOME/.docker` (the
    /// password database's home when `HOME` is unset).
    public static func directory(environment: [String: String]) throws -> String {
        if let configured = environment["DOCKER_CONFIG"], !configured.isEmpty { return configured }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.docker" }
        if let entry = getpwuid(geteuid()), let home = entry.pointee.pw_dir, home.pointee != 0 {
            return String(cString: home) + "/.docker"
        }
        throw ConfigFileError.noHomeDirectory
    }

    /// The config file path: `config.json` in `directory(environment:)`.
    public static func defaultPath(environment: [String: String]) throws -> String {
        try directory(environment: environment) + "/config.json"
    }

    // MARK: - Reading and writing

    /// Reads the file; a missing file is an empty configuration.
    public static func load(path: String) throws -> DockerConfigFile {
        guard let bytes = try AtomicFile.read(path) else { return DockerConfigFile(path: path) }
        return try DockerConfigFile(path: path, bytes: bytes)
    }

    /// Reads, changes and writes the file while holding its lock, so that
    /// concurrent logins each see the others' entries.
    ///
    /// The lock is `config.json.lock` beside the file (beside the link's target
    /// when the file is a symlink). Nothing is written when `body` throws, when
    /// the file cannot be parsed, or when `body` changed nothing.
    @discardableResult
    public static func update<Result>(path: String, _ body: (inout DockerConfigFile) throws -> Result) throws
        -> Result {
        let target = AtomicFile.resolvedTarget(path)
        try AtomicFile.makeDirectories(AtomicFile.directory(of: target))
        let lock = try FileLock(path: target + ".lock")
        var config = try load(path: target)
        let before = config.root
        let result = try body(&config)
        if config.root != before {
            try AtomicFile.write(Array(config.serialized().utf8), to: target)
        }
        withExtendedLifetime(lock) {}
        return result
    }

    /// The document as the Docker CLI writes it: tab-indented JSON with Go's
    /// escaping of `<`, `>`, `&`, U+2028 and U+2029.
    public func serialized() -> String {
        JSONWriter.indented(.object(root))
    }

    // MARK: - Credential settings

    /// `credsStore`: the helper (`docker-credential-<name>`) holding all
    /// credentials without a `credHelpers` entry.
    public func credentialsStore() throws -> String? {
        guard let value = root["credsStore"] else { return nil }
        guard case let .string(name) = value else {
            throw ConfigFileError.invalidField(path: path, field: "credsStore", expected: "a string")
        }
        return name.isEmpty ? nil : name
    }

    /// Sets or removes `credsStore`.
    public mutating func setCredentialsStore(_ name: String?) {
        setTopLevel("credsStore", to: name.map { .string($0) })
    }

    /// `credHelpers`: helper names by registry, in file order.
    public func credentialHelpers() throws -> [(registry: String, helper: String)] {
        guard let value = root["credHelpers"] else { return [] }
        guard case let .object(object) = value else {
            throw ConfigFileError.invalidField(path: path, field: "credHelpers", expected: "an object")
        }
        return try object.members.map { member in
            guard case let .string(helper) = member.value else {
                throw ConfigFileError.invalidField(path: path, field: "credHelpers.\(member.key)",
                                                   expected: "a string")
            }
            return (member.key, helper)
        }
    }

    /// Sets or removes the `credHelpers` entry for `registry`.
    public mutating func setCredentialHelper(_ helper: String?, forRegistry registry: String) throws {
        let helpers = DockerConfigLayout.setting(registry, to: helper.map { .string($0) },
                                                 in: try authsLikeObject("credHelpers"), order: .sortedKeys)
        setTopLevel("credHelpers", to: .object(helpers))
    }

    /// The keys of `auths`, in file order.
    public func authKeys() throws -> [String] {
        try authsLikeObject("auths").keys
    }

    /// The `auths` entry stored under exactly `key`.
    public func authEntry(forKey key: String) throws -> AuthEntry? {
        guard let value = try authsLikeObject("auths")[key] else { return nil }
        guard case let .object(object) = value else {
            throw ConfigFileError.invalidField(path: path, field: "auths.\(key)", expected: "an object")
        }
        return AuthEntry(object: object)
    }

    /// Replaces (or, with nil, removes) the `auths` entry under `key`.
    public mutating func setAuthEntry(_ entry: AuthEntry?, forKey key: String) throws {
        let auths = DockerConfigLayout.setting(key, to: entry.map { .object($0.object) },
                                               in: try authsLikeObject("auths"), order: .sortedKeys)
        setTopLevel("auths", to: .object(auths))
    }

    /// Sets a top-level member; a new one goes where the Docker CLI writes it.
    private mutating func setTopLevel(_ key: String, to value: JSONValue?) {
        root = DockerConfigLayout.setting(key, to: value, in: root, order: DockerConfigLayout.configFields)
    }

    private func authsLikeObject(_ field: String) throws -> JSONObject {
        // Go decodes `null` into a map as no map at all.
        guard let value = root[field], value != .null else { return JSONObject() }
        guard case let .object(object) = value else {
            throw ConfigFileError.invalidField(path: path, field: field, expected: "an object")
        }
        return object
    }
}
