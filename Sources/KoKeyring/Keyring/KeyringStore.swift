import CSecret

/// Credentials in the desktop keyring (the freedesktop Secret Service, through
/// libsecret), in entries that docker-credential-secretservice reads and writes too.
///
/// Entries use the `io.docker.Credentials` schema with the attributes
/// `label` = `Docker Credentials`, `server`, `username` and `docker_cli` = `1`,
/// labelled with the server, in the default collection. Beyond that helper:
/// - storing replaces whatever the server had, whatever its username, so a
///   server never has two entries;
/// - `list` reads attributes only, so listing never prompts for an unlock;
/// - lookups try the exact server string, then its canonical spelling and the
///   enclosing namespaces, but never hand one repository's entry to another.
///
/// Every call is bounded by `timeout`; a missing bus, a missing provider and a
/// locked keyring all end in a `KeyringError` that says how to fix it.
public final class KeyringStore: CredentialStore {
    /// The schema docker-credential-secretservice uses.
    public static let schemaName = "io.docker.Credentials"
    /// The value of the `label` attribute docker's helpers search `list` by.
    public static let labelAttributeValue = "Docker Credentials"
    static let dockerAttribute = "docker_cli"
    static let attributeNames = ["label", "server", "username", dockerAttribute]

    /// Seconds one call may take, unlock prompt included.
    public let timeout: Double

    public init(timeout: Double = 60) {
        self.timeout = timeout
    }

    public func store(_ credential: Credential, forServer server: String) throws {
        guard !server.isEmpty else {
            throw KeyringError.invalidRequest(CredentialHelperProtocol.missingServerURLMessage)
        }
        guard !credential.username.isEmpty else {
            throw KeyringError.invalidRequest(CredentialHelperProtocol.missingUsernameMessage)
        }
        guard credential.kind != .registryToken else {
            throw KeyringError.invalidRequest("the keyring cannot store a registry token; only config.json auths can")
        }
        let connection = try SecretServiceConnection(timeout: timeout)
        let collection = try connection.unlockedDefaultCollection()
        defer { g_object_unref(collection) }

        let previous = try itemsFor(server: server, connection: connection)
        let attributes = [
            "label": KeyringStore.labelAttributeValue, "server": server,
            "username": credential.username, KeyringStore.dockerAttribute: "1",
        ]
        let created = try connection.createItem(in: collection, attributes: attributes, label: server,
                                                secret: credential.secret)
        let keep = created.objectPath
        for item in previous where item.objectPath != keep {
            try item.delete(connection)
        }
    }

    public func credential(forServer server: String) throws -> Credential? {
        let address = ServerAddress(server)
        guard !address.original.isEmpty else { return nil }
        // The exact string first: that is what docker's helper matches on.
        // Straight over D-Bus when it can be; libsecret for the rest.
        let direct = try SecretServiceLookup.exactMatch(server: address.original, timeout: timeout)
        if case let .found(credential) = direct { return credential }
        let connection = try SecretServiceConnection(timeout: timeout)
        if direct == .needsLibsecret,
           let item = newest(try connection.search(exactAttributes(address.original), unlock: true)) {
            return try read(item, connection: connection)
        }
        // Then any spelling of the same server, then of its enclosing namespaces.
        let items = try connection.allItems()
        for candidate in address.canonicalAncestry {
            let matches = items.filter { item in item.server.map { ServerAddress($0).canonical } == candidate }
            if let item = newest(matches) { return try read(item, connection: connection) }
        }
        return nil
    }

    public func erase(server: String) throws {
        try eraseEntries(server: server)
    }

    /// Removes every entry for `server` (any spelling of it, no other
    /// namespace) and returns how many there were.
    @discardableResult
    public func eraseEntries(server: String) throws -> Int {
        guard !ServerAddress(server).original.isEmpty else {
            throw KeyringError.invalidRequest(CredentialHelperProtocol.missingServerURLMessage)
        }
        let connection = try SecretServiceConnection(timeout: timeout)
        let items = try itemsFor(server: server, connection: connection)
        for item in items { try item.delete(connection) }
        return items.count
    }

    public func list() throws -> [String: String] {
        let connection = try SecretServiceConnection(timeout: timeout)
        var result: [String: String] = [:]
        var modified: [String: UInt64] = [:]
        for item in try connection.allItems() {
            let attributes = item.attributes
            guard let server = attributes["server"], !server.isEmpty else { continue }
            // Entries written twice by another helper: show the one `get` returns.
            if let seen = modified[server], seen > item.modified { continue }
            modified[server] = item.modified
            result[server] = attributes["username"] ?? ""
        }
        return result
    }

    // MARK: - Helpers

    private func exactAttributes(_ server: String) -> [String: String] {
        ["server": server, KeyringStore.dockerAttribute: "1"]
    }

    /// The entries stored under `server` or any equivalent spelling, unlocked.
    private func itemsFor(server: String, connection: SecretServiceConnection) throws -> [KeyringItem] {
        let canonical = ServerAddress(server).canonical
        var items = try connection.search(exactAttributes(server), unlock: true)
        var seen = Set(items.map(\.objectPath))
        for item in try connection.allItems() where !seen.contains(item.objectPath) {
            guard let stored = item.server, ServerAddress(stored).canonical == canonical else { continue }
            if item.isLocked { try connection.unlock(UnsafeMutableRawPointer(item.pointer)) }
            items.append(item)
            seen.insert(item.objectPath)
        }
        return items
    }

    private func newest(_ items: [KeyringItem]) -> KeyringItem? {
        items.max { $0.modified < $1.modified }
    }

    private func read(_ item: KeyringItem, connection: SecretServiceConnection) throws -> Credential {
        if item.isLocked { try connection.unlock(UnsafeMutableRawPointer(item.pointer)) }
        let secret = try item.loadSecret(connection)
        return Credential(username: item.username ?? "", secret: secret)
    }
}
