/// A JSON value kept as it was read: objects keep their member order (and
/// repeated keys), numbers keep their literal text.
///
/// That makes a read-edit-write round trip change only what was edited, which
/// config.json (owned by the user and the Docker CLI) and image configs
/// (unknown keys of a base image must survive) both need. `JSONWriter` decides
/// the layout: sorted keys for the canonical bytes that are hashed, member
/// order for files people read.
///
/// Equality is structural: member order and number spelling count, so two
/// values are equal exactly when a writer gives them the same bytes.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number, as its JSON literal text (`1.50` stays `1.50`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A number from an integer.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    /// An array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// An object of strings, its keys sorted so the member order is stable.
    public static func stringMap(_ values: [String: String]) -> JSONValue {
        let keys = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return .object(JSONObject(keys.map { JSONObject.Member(key: $0, value: .string(values[$0] ?? "")) }))
    }

    // MARK: - Accessors

    /// The string, when this value is one.
    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The boolean, when this value is one.
    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The elements, when this value is an array.
    public var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// The object, when this value is one.
    public var objectValue: JSONObject? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// The number as an Int64, when it is an integer literal that fits.
    public var int64Value: Int64? {
        if case let .number(text) = self { return Int64(text) }
        return nil
    }

    /// The elements, when this is an array of strings only.
    public var stringArray: [String]? {
        guard let array = arrayValue else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(array.count)
        for element in array {
            guard let string = element.stringValue else { return nil }
            strings.append(string)
        }
        return strings
    }

    /// The members, when this is an object of strings only; a repeated key
    /// keeps its last value.
    public var stringMap: [String: String]? {
        guard let object = objectValue else { return nil }
        var map: [String: String] = [:]
        for member in object.members {
            guard let string = member.value.stringValue else { return nil }
            map[member.key] = string
        }
        return map
    }

    /// The member `key` of an object (see `JSONObject`); nil for a missing key
    /// or a non-object. Setting nil removes the key; setting on a value that
    /// is not an object replaces it with an object.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var object = objectValue ?? JSONObject()
            object[key] = newValue
            self = .object(object)
        }
    }

    /// The canonical bytes: sorted keys, no whitespace, Go's escaping
    /// (`JSONWriter.Options.canonical`). These are the bytes to hash and send.
    public var canonicalBytes: [UInt8] { JSONWriter.bytes(self, options: .canonical) }
}
