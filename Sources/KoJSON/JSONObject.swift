/// A JSON object whose members keep the order they were read or added in.
///
/// Keys compare by their UTF-8 bytes, as Go's decoder compares them. A key
/// may repeat, as it may in JSON text; reading it gives the last value, as in
/// Go's decoder, and writing keeps every member unless the writer sorts keys.
public struct JSONObject: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One `"key": value` pair.
    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    /// An object with the literal's members, in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { members.isEmpty }

    /// The keys, in order (a repeated key appears each time).
    public var keys: [String] { members.map(\.key) }

    /// The member's value; the last one wins when a key repeats. Setting
    /// replaces the value in place (keeping its position) and drops later
    /// repeats, or appends a new member; setting nil removes every member
    /// with the key.
    public subscript(key: String) -> JSONValue? {
        get { members.last(where: { Self.same($0.key, key) })?.value }
        set {
            guard let newValue else {
                members.removeAll { Self.same($0.key, key) }
                return
            }
            guard let first = members.firstIndex(where: { Self.same($0.key, key) }) else {
                members.append(Member(key: key, value: newValue))
                return
            }
            members[first].value = newValue
            var index = members.count - 1
            while index > first {
                if Self.same(members[index].key, key) { members.remove(at: index) }
                index -= 1
            }
        }
    }

    /// Byte equality: Swift's `==` on strings would also match canonically
    /// equivalent spellings, which JSON (and Go) treat as different keys.
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }
}
