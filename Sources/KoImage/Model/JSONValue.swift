/// A JSON document kept exactly as parsed, for configs whose unknown keys
/// must survive a round trip.
///
/// Numbers keep their literal text, so large integers and odd spellings
/// (`1e3`, `1.50`) are written back unchanged. Object keys are unordered;
/// `CanonicalJSON` writes them sorted. A key that appears twice keeps its
/// last value, as Go's decoder does.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number, as its JSON literal text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A number from an integer.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    /// Parses a JSON document; `document` names it in errors.
    public init(parsing bytes: [UInt8], document: String = "JSON document") throws {
        var parser = JSONParser(bytes: bytes, document: document)
        self = try parser.parseDocument()
    }

    /// The canonical bytes of this value (see `CanonicalJSON`).
    public var canonicalBytes: [UInt8] { CanonicalJSON.encode(self) }

    // MARK: - Accessors

    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// The number as an Int64, when it is an integer literal that fits.
    public var int64Value: Int64? {
        if case let .number(text) = self { return Int64(text) }
        return nil
    }

    /// An array of strings, or nil when this is not one.
    public var stringArray: [String]? {
        guard let array = arrayValue else { return nil }
        var strings: [String] = []
        for element in array {
            guard let string = element.stringValue else { return nil }
            strings.append(string)
        }
        return strings
    }

    /// A string-to-string object, or nil when this is not one.
    public var stringMap: [String: String]? {
        guard let object = objectValue else { return nil }
        var map: [String: String] = [:]
        for (key, value) in object {
            guard let string = value.stringValue else { return nil }
            map[key] = string
        }
        return map
    }

    /// The member `key` of an object; nil for a missing key or a non-object.
    /// Setting nil removes the key; setting on a non-object makes it an object.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var object = objectValue ?? [:]
            object[key] = newValue
            self = .object(object)
        }
    }

    // MARK: - Codable bridges

    /// A value of a `Decodable` type read from this JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoderBridge.decode(type, from: canonicalBytes)
    }

    /// The JSON form of an `Encodable` value.
    public init<T: Encodable>(encoding value: T) throws {
        let bytes = try JSONDecoderBridge.encode(value)
        try self.init(parsing: bytes, document: "encoded \(T.self)")
    }
}

extension JSONValue {
    /// JSON of an array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// JSON of a string-to-string map.
    public static func stringMap(_ values: [String: String]) -> JSONValue { .object(values.mapValues { .string($0) }) }
}
