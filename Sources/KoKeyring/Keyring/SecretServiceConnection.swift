#if canImport(Glibc)
import Glibc
#endif
import CSecret

/// One conversation with the Secret Service over libsecret, bounded by a
/// deadline, restricted to items of the `io.docker.Credentials` schema.
final class SecretServiceConnection {
    let service: UnsafeMutablePointer<SecretService>
    let schema: UnsafeMutablePointer<SecretSchema>
    let deadline: KeyringDeadline

    /// Connects, after checking that a session bus can exist at all:
    /// without one, GLib would try to autolaunch D-Bus through X11.
    init(timeout: Double) throws {
        try SecretServiceConnection.checkSessionBus()
        deadline = KeyringDeadline(seconds: timeout)
        let types = GLibHashTable(attributeTypes: KeyringStore.attributeNames)
        schema = secret_schema_newv(KeyringStore.schemaName, SECRET_SCHEMA_NONE, types.table)
        var error: UnsafeMutablePointer<GError>?
        let service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, deadline.cancellable, &error)
        guard let service, error == nil else {
            secret_schema_unref(schema)
            if let service { g_object_unref(service) }
            throw SecretServiceConnection.translate(error, operation: "connect to the Secret Service",
                                                    deadline: deadline)
        }
        self.service = service
    }

    deinit {
        g_object_unref(service)
        secret_schema_unref(schema)
    }

    /// Fails early, with the fix, when no session bus address can be found.
    static func checkSessionBus() throws {
        var environment: [String: String] = [:]
        for name in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
            environment[name] = ProcessEnvironment.value(name)
        }
        guard ProcessEnvironment.hasSessionBus(environment) else { throw KeyringError.noSessionBus }
    }

    // MARK: - Items

    /// Docker credential items matching `attributes`. With `unlock`, locked
    /// matches are unlocked first (which may prompt); secrets are not loaded.
    func search(_ attributes: [String: String], unlock: Bool) throws -> [KeyringItem] {
        let table = GLibHashTable(strings: attributes)
        var flags = SECRET_SEARCH_ALL.rawValue
        if unlock { flags |= SECRET_SEARCH_UNLOCK.rawValue }
        var list: UnsafeMutablePointer<GList>?
        var pause: UInt32 = 1_000
        while true {
            var error: UnsafeMutablePointer<GError>?
            list = secret_service_search_sync(service, schema, table.table, SecretSearchFlags(rawValue: flags),
                                              deadline.cancellable, &error)
            guard let error else { break }
            if let found = list { g_list_free_full(found, g_object_unref) }
            // An item deleted by another client between the search and the
            // reading of its properties: search again, until the deadline.
            // (Twenty `ko logout`s at once delete items all through each
            // other's searches; a fixed number of tries is not enough.)
            if SecretServiceConnection.isVanishedItem(error) && !deadline.expired {
                g_error_free(error)
                usleep(pause + UInt32.random(in: 0..<pause))
                pause = min(pause * 2, 50_000)
                continue
            }
            throw translate(error, operation: "search the keyring")
        }
        var items: [KeyringItem] = []
        var node = list
        while let current = node {
            if let data = current.pointee.data {
                items.append(KeyringItem(retaining: data.assumingMemoryBound(to: SecretItem.self)))
            }
            node = current.pointee.next
        }
        if let list { g_list_free_full(list, g_object_unref) }
        return items
    }

    /// Every Docker credential item, read without unlocking anything.
    func allItems() throws -> [KeyringItem] {
        try search([KeyringStore.dockerAttribute: "1"], unlock: false)
    }

    /// The default collection, unlocked (prompting if needed).
    func unlockedDefaultCollection() throws -> UnsafeMutablePointer<SecretCollection> {
        var error: UnsafeMutablePointer<GError>?
        let found = secret_collection_for_alias_sync(service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                                                     deadline.cancellable, &error)
        if let error { throw translate(error, operation: "open the default keyring collection") }
        guard let collection = found else { throw KeyringError.noDefaultCollection }
        if secret_collection_get_locked(collection) != 0 {
            do {
                try unlock(UnsafeMutableRawPointer(collection))
            } catch {
                g_object_unref(collection)
                throw error
            }
        }
        return collection
    }

    /// Unlocks one collection or item, prompting if the service wants to;
    /// throws `locked` when it stays locked.
    func unlock(_ object: UnsafeMutableRawPointer) throws {
        var objects: UnsafeMutablePointer<GList>? = nil
        objects = g_list_append(objects, object)
        defer { g_list_free(objects) }
        var unlocked: UnsafeMutablePointer<GList>?
        var error: UnsafeMutablePointer<GError>?
        let count = secret_service_unlock_sync(service, objects, deadline.cancellable, &unlocked, &error)
        if let unlocked { g_list_free_full(unlocked, g_object_unref) }
        if let error { throw translate(error, operation: "unlock the keyring") }
        if count < 1 { throw KeyringError.locked }
    }

    /// Creates (or, for identical attributes, replaces) an item holding `secret`.
    func createItem(in collection: UnsafeMutablePointer<SecretCollection>, attributes: [String: String],
                    label: String, secret: String) throws -> KeyringItem {
        let table = GLibHashTable(strings: attributes)
        let value = secret.withCString { secret_value_new($0, -1, "text/plain") }
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var error: UnsafeMutablePointer<GError>?
        let item = secret_item_create_sync(collection, schema, table.table, label, value,
                                           SECRET_ITEM_CREATE_REPLACE, deadline.cancellable, &error)
        if let error {
            if let item { g_object_unref(item) }
            throw translate(error, operation: "store in the keyring")
        }
        guard let item else { throw KeyringError.failed(operation: "store in the keyring", reason: "no item") }
        return KeyringItem(taking: item)
    }

    // MARK: - Errors

    /// True for "No such secret item": the item went away while we looked.
    static func isVanishedItem(_ error: UnsafeMutablePointer<GError>) -> Bool {
        if let name = g_dbus_error_get_remote_error(error) {
            defer { g_free(name) }
            if String(cString: name) == "org.freedesktop.Secret.Error.NoSuchObject" { return true }
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? ""
        return message.hasPrefix("No such secret item") || message.contains("UnknownObject")
    }

    /// Turns a GError (freed here) into a `KeyringError` that says what to do.
    func translate(_ error: UnsafeMutablePointer<GError>?, operation: String) -> KeyringError {
        SecretServiceConnection.translate(error, operation: operation, deadline: deadline)
    }

    static func translate(_ error: UnsafeMutablePointer<GError>?, operation: String,
                          deadline: KeyringDeadline) -> KeyringError {
        guard let error else { return .failed(operation: operation, reason: "unknown error") }
        defer { g_error_free(error) }
        let remoteName = g_dbus_error_get_remote_error(error).map { pointer -> String in
            defer { g_free(pointer) }
            return String(cString: pointer)
        }
        _ = g_dbus_error_strip_remote_error(error)
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        let domain = error.pointee.domain
        let code = error.pointee.code

        if domain == g_io_error_quark() && code == Int32(G_IO_ERROR_CANCELLED.rawValue) || deadline.expired {
            return .timedOut(operation: operation, seconds: Int(deadline.seconds.rounded(.up)))
        }
        if remoteName == "org.freedesktop.DBus.Error.ServiceUnknown"
            || remoteName == "org.freedesktop.DBus.Error.NameHasNoOwner"
            || domain == g_dbus_error_quark() && code == Int32(G_DBUS_ERROR_SERVICE_UNKNOWN.rawValue) {
            return .noSecretService(reason: message)
        }
        if remoteName == "org.freedesktop.Secret.Error.IsLocked" { return .locked }
        if message.contains("autolaunch") || message.hasPrefix("Could not connect")
            || message.contains("Error connecting") {
            return .sessionBusUnreachable(reason: message)
        }
        return .failed(operation: operation, reason: message)
    }
}
