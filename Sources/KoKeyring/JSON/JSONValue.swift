/// A JSON value that keeps object members in the order they were read.
///
/// Docker's config.json belongs to the user and to every tool that reads it;
/// a round trip through this type changes only the members we edit. Numbers
/// keep their original text so `1.0` stays `1.0`.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number, as the literal text it was written with.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this value is one.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The object, when this value is one.
    public var objectValue: JSONObject? {
        if case let .object(object) = self { return object }
        return nil
    }
}

/// A JSON object whose members keep their order.
public struct JSONObject: Equatable, Sendable {
    /// One `"key": value` pair.
    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The member's value; the last one wins when a key repeats, as in Go's
    /// decoder. Setting replaces the value in place (keeping its position) or
    /// appends a new member; setting nil removes every member with the key.
    public subscript(key: String) -> JSONValue? {
        get { members.last(where: { $0.key == key })?.value }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            guard let first = members.firstIndex(where: { $0.key == key }) else {
                members.append(Member(key: key, value: newValue))
                return
            }
            members[first].value = newValue
            var index = members.count - 1
            while index > first {
                if members[index].key == key { members.remove(at: index) }
                index -= 1
            }
        }
    }
}
