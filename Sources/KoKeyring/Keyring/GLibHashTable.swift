import CSecret

/// A `GHashTable` of C strings to C strings, owned and released by this value.
///
/// libsecret's variadic attribute functions cannot be called from Swift; the
/// `…v` variants and the SecretService calls take one of these instead.
final class GLibHashTable {
    let table: OpaquePointer

    /// A table of strings whose keys and values are freed with the table.
    init(strings: [String: String]) {
        table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)
        for (key, value) in strings {
            g_hash_table_insert(table, g_strdup(key), g_strdup(value))
        }
    }

    /// A table of attribute names to `SecretSchemaAttributeType`s, for `secret_schema_newv`.
    init(attributeTypes names: [String]) {
        table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, nil)
        for name in names {
            let type = SECRET_SCHEMA_ATTRIBUTE_STRING.rawValue
            g_hash_table_insert(table, g_strdup(name), UnsafeMutableRawPointer(bitPattern: UInt(type)))
        }
    }

    /// Takes ownership of a table returned by a `(transfer full)` call.
    init(taking table: OpaquePointer) {
        self.table = table
    }

    deinit { g_hash_table_unref(table) }

    /// The string stored under `key`.
    func string(_ key: String) -> String? {
        guard let value = g_hash_table_lookup(table, key) else { return nil }
        return String(cString: value.assumingMemoryBound(to: CChar.self))
    }
}
