/// The hot path of `get`: an entry stored under exactly the server asked
/// for, read straight from the Secret Service (freedesktop Secret Service
/// API) in three round trips, with no GLib and no Foundation loaded.
///
/// 1. Authenticate; 2. `Hello`, `SearchItems` for the entry's attributes (as
/// libsecret searches the `io.docker.Credentials` schema: `xdg:schema`,
/// `server`, `docker_cli`) and `OpenSession` with the `plain` algorithm
/// (the bus socket is private to the user; libsecret's DH exchange costs
/// more than the rest of the lookup); 3. `GetSecrets` and each item's
/// properties. The newest unlocked match wins, as in `KeyringStore`.
///
/// Anything else (no exact match, a locked or ambiguous entry, no bus, an
/// unexpected answer) returns nil, and the caller hands the request to the
/// full helper, which unlocks, tries other spellings of the server, mints
/// cloud tokens and explains failures.
enum StoredCredentialLookup {
    static let service = "org.freedesktop.secrets"
    static let servicePath = "/org/freedesktop/secrets"
    static let serviceInterface = "org.freedesktop.Secret.Service"
    static let itemInterface = "org.freedesktop.Secret.Item"

    /// The username and secret stored for `server`, or nil.
    static func credential(forServer server: String, seconds: Double) -> (username: String, secret: String)? {
        guard let bus = DBusConnection(seconds: seconds) else { return nil }

        // Round 2: Hello must be the first message; the others may follow it at once.
        let hello = bus.serial(), search = bus.serial(), open = bus.serial()
        var query = DBusWriter()
        query.stringDictionary([("xdg:schema", "io.docker.Credentials"), ("server", server), ("docker_cli", "1")])
        var session = DBusWriter()
        session.string("plain")
        session.signature("s")
        session.string("")
        let first = DBusMessage.call(serial: hello, destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                     interface: "org.freedesktop.DBus", member: "Hello")
            + DBusMessage.call(serial: search, destination: service, path: servicePath, interface: serviceInterface,
                               member: "SearchItems", signature: "a{ss}", body: query)
            + DBusMessage.call(serial: open, destination: service, path: servicePath, interface: serviceInterface,
                               member: "OpenSession", signature: "sv", body: session)
        guard let replies = bus.exchange(first, awaiting: [hello, search, open]),
              let found = replies[search]?.values, found.count == 2,
              case let .array(unlocked) = found[0], case let .array(locked) = found[1], locked.isEmpty,
              let opened = replies[open]?.values, opened.count == 2, let sessionPath = opened[1].string
        else { return nil }
        let items = unlocked.compactMap(\.string)
        guard !items.isEmpty else { return nil }

        // Round 3: the secrets, and what each item says of itself.
        let secrets = bus.serial()
        var secretsQuery = DBusWriter()
        secretsQuery.stringArray(items)
        secretsQuery.string(sessionPath)
        var batch = DBusMessage.call(serial: secrets, destination: service, path: servicePath,
                                     interface: serviceInterface, member: "GetSecrets", signature: "aoo",
                                     body: secretsQuery)
        var properties: [String: UInt32] = [:]
        for item in items {
            let serial = bus.serial()
            var which = DBusWriter()
            which.string(itemInterface)
            batch += DBusMessage.call(serial: serial, destination: service, path: item,
                                      interface: "org.freedesktop.DBus.Properties", member: "GetAll", signature: "s",
                                      body: which)
            properties[item] = serial
        }
        guard let answers = bus.exchange(batch, awaiting: Set([secrets] + properties.values)),
              let secretValues = answers[secrets]?.values, case let .dictionary(byItem)? = secretValues.first
        else { return nil }

        var best: (modified: UInt64, username: String, secret: [UInt8])?
        for (key, value) in byItem {
            guard let item = key.string, let serial = properties[item],
                  let described = answers[serial]?.values, case let .dictionary(fields)? = described.first,
                  case let .structure(parts) = value, parts.count == 4, case let .bytes(secret) = parts[2]
            else { return nil }
            var modified: UInt64 = 0
            var username = ""
            for (name, field) in fields {
                guard case let .variant(inner) = field else { continue }
                switch (name.string, inner) {
                case let ("Modified", .uint(value)): modified = value
                case let ("Locked", .bool(isLocked)) where isLocked: return nil
                case let ("Attributes", .dictionary(attributes)):
                    username = attributes.first { $0.0.string == "username" }?.1.string ?? ""
                default: break
                }
            }
            if best.map({ modified > $0.modified }) ?? true { best = (modified, username, secret) }
        }
        guard let best else { return nil }
        return (best.username, String(decoding: best.secret, as: UTF8.self))
    }
}
