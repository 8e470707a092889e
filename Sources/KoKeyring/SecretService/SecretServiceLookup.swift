#if canImport(Glibc)
import Glibc
#endif

/// Reads one Docker credential straight from the Secret Service over D-Bus:
/// four calls (`OpenSession`, `SearchItems`, `GetSecrets`, the item's
/// `Attributes`), no GLib objects, no key exchange.
///
/// This is the path `docker-credential-ko get` takes for every registry
/// operation of the Docker CLI, so it is kept short; anything unusual (a
/// locked item, several matches, a service without the `plain` algorithm,
/// any D-Bus failure) is left to libsecret (`needsLibsecret`), which can
/// prompt for an unlock and explains failures.
///
/// The secret travels with the Secret Service's `plain` algorithm. The
/// session bus only admits our own uid, and gnome-keyring hands every
/// secret to any client of that uid on request, so the DH-encrypted
/// transport libsecret negotiates hides it from no one who could not ask
/// for it directly; it costs a 1024-bit key exchange per process.
/// (https://specifications.freedesktop.org/secret-service/ "Transfer of Secrets")
enum SecretServiceLookup {
    /// What the lookup found.
    enum Outcome: Equatable {
        case found(Credential)
        /// No item has exactly this `server` attribute.
        case notFound
        /// Leave it to libsecret.
        case needsLibsecret
    }

    static let service = "org.freedesktop.secrets"
    static let servicePath = "/org/freedesktop/secrets"
    static let serviceInterface = "org.freedesktop.Secret.Service"

    /// The unlocked item whose `server` attribute is exactly `server`.
    ///
    /// - Throws: `KeyringError.timedOut` when the bus or the service does
    ///   not answer within `timeout` seconds (libsecret would wait as long).
    static func exactMatch(server: String, timeout: Double) throws -> Outcome {
        guard let address = busAddress() else { return .needsLibsecret }
        do {
            return try lookUp(server: server, bus: try DBusConnection(address: address, timeout: timeout))
        } catch DBusConnection.Failure.timedOut {
            throw KeyringError.timedOut(operation: "read the keyring", seconds: Int(timeout.rounded(.up)))
        } catch {
            return .needsLibsecret
        }
    }

    private static func lookUp(server: String, bus: DBusConnection) throws -> Outcome {
        let opened = try bus.call(destination: service, path: servicePath, interface: serviceInterface,
                                  member: "OpenSession", signature: "sv",
                                  arguments: [.string("plain"), .variant(signature: "s", .string(""))])
        guard opened.count == 2, case let .objectPath(session) = opened[1] else { return .needsLibsecret }

        let attributes = [
            "server": server, KeyringStore.dockerAttribute: "1", "xdg:schema": KeyringStore.schemaName,
        ]
        let found = try bus.call(destination: service, path: servicePath, interface: serviceInterface,
                                 member: "SearchItems", signature: "a{ss}",
                                 arguments: [.stringDictionary(attributes)])
        guard found.count == 2, let unlocked = found[0].objectPaths, let locked = found[1].objectPaths else {
            return .needsLibsecret
        }
        if !locked.isEmpty || unlocked.count > 1 { return .needsLibsecret }
        guard let item = unlocked.first else { return .notFound }

        let secrets = try bus.call(destination: service, path: servicePath, interface: serviceInterface,
                                   member: "GetSecrets", signature: "aoo",
                                   arguments: [.array(element: "o", [.objectPath(item)]), .objectPath(session)])
        // a{o(oayays)}: item → (session, parameters, value, content type)
        guard case let .array(_, entries)? = secrets.first, entries.count == 1,
              case let .dictEntry(_, .structure(secret)) = entries[0], secret.count == 4,
              case let .bytes(value) = secret[2] else { return .needsLibsecret }

        let properties = try bus.call(destination: service, path: item, interface: "org.freedesktop.DBus.Properties",
                                      member: "Get", signature: "ss",
                                      arguments: [.string("org.freedesktop.Secret.Item"), .string("Attributes")])
        guard case let .variant(_, dictionary)? = properties.first, let stored = dictionary.stringDictionary else {
            return .needsLibsecret
        }
        return .found(Credential(username: stored["username"] ?? "", secret: String(decoding: value, as: UTF8.self)))
    }

    /// DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus` when it exists.
    private static func busAddress() -> String? {
        if let address = ProcessEnvironment.value("DBUS_SESSION_BUS_ADDRESS"), !address.isEmpty { return address }
        guard let runtime = ProcessEnvironment.value("XDG_RUNTIME_DIR"), !runtime.isEmpty else { return nil }
        var info = stat()
        guard stat(runtime + "/bus", &info) == 0 else { return nil }
        return "unix:path=" + runtime + "/bus"
    }
}
