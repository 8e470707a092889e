import CSecret

/// One Secret Service item, holding a reference released on deinit.
final class KeyringItem {
    let pointer: UnsafeMutablePointer<SecretItem>

    /// Adds a reference to an item borrowed from a list.
    init(retaining pointer: UnsafeMutablePointer<SecretItem>) {
        g_object_ref(pointer)
        self.pointer = pointer
    }

    /// Takes over the reference returned by a `(transfer full)` call.
    init(taking pointer: UnsafeMutablePointer<SecretItem>) {
        self.pointer = pointer
    }

    deinit { g_object_unref(pointer) }

    /// The item's attributes (readable without unlocking on most services).
    var attributes: [String: String] {
        guard let table = secret_item_get_attributes(pointer) else { return [:] }
        let owned = GLibHashTable(taking: table)
        var result: [String: String] = [:]
        for name in KeyringStore.attributeNames {
            if let value = owned.string(name) { result[name] = value }
        }
        return result
    }

    var server: String? { attributes["server"] }
    var username: String? { attributes["username"] }

    var isLocked: Bool { secret_item_get_locked(pointer) != 0 }

    /// Seconds since the epoch of the last change, to prefer the newest of duplicates.
    var modified: UInt64 { UInt64(secret_item_get_modified(pointer)) }

    /// The D-Bus object path, which identifies the item.
    var objectPath: String {
        guard let path = g_dbus_proxy_get_object_path(UnsafeMutableRawPointer(pointer)
            .assumingMemoryBound(to: GDBusProxy.self)) else { return "" }
        return String(cString: path)
    }

    /// Fetches and returns the secret (the item must be unlocked).
    func loadSecret(_ connection: SecretServiceConnection) throws -> String {
        var error: UnsafeMutablePointer<GError>?
        guard secret_item_load_secret_sync(pointer, connection.deadline.cancellable, &error) != 0,
              error == nil else {
            throw connection.translate(error, operation: "read a secret from the keyring")
        }
        guard let value = secret_item_get_secret(pointer) else { throw KeyringError.locked }
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var length = 0
        guard let bytes = secret_value_get(value, &length) else { return "" }
        let buffer = UnsafeRawBufferPointer(start: bytes, count: length)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Deletes the item; one another client deleted first counts as deleted.
    func delete(_ connection: SecretServiceConnection) throws {
        var error: UnsafeMutablePointer<GError>?
        guard secret_item_delete_sync(pointer, connection.deadline.cancellable, &error) != 0, error == nil else {
            if let error, SecretServiceConnection.isVanishedItem(error) {
                g_error_free(error)
                return
            }
            throw connection.translate(error, operation: "delete a keyring entry")
        }
    }
}
