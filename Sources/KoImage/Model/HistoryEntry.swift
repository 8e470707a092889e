import KoJSON

/// One entry of a config's `history` (OCI image spec, "Image Configuration").
///
/// Written as go-containerregistry writes `v1.History`: `created` always
/// present (Go's zero time when unset), the other fields only when set.
public struct HistoryEntry: Hashable, Sendable {
    public var author: String?
    public var created: String
    public var createdBy: String?
    public var comment: String?
    public var emptyLayer: Bool

    public init(author: String? = nil, created: String = ImageTime.goZero, createdBy: String? = nil,
                comment: String? = nil, emptyLayer: Bool = false) {
        self.author = author
        self.created = created
        self.createdBy = createdBy
        self.comment = comment
        self.emptyLayer = emptyLayer
    }

    /// Reads an entry of a base image's history; missing fields are empty.
    public init(json: JSONValue) {
        author = json["author"]?.stringValue
        created = json["created"]?.stringValue ?? ImageTime.goZero
        createdBy = json["created_by"]?.stringValue
        comment = json["comment"]?.stringValue
        emptyLayer = json["empty_layer"]?.boolValue ?? false
    }

    /// The JSON of this entry.
    public var json: JSONValue {
        var object: JSONObject = ["created": .string(created)]
        if let author, !author.isEmpty { object["author"] = .string(author) }
        if let createdBy, !createdBy.isEmpty { object["created_by"] = .string(createdBy) }
        if let comment, !comment.isEmpty { object["comment"] = .string(comment) }
        if emptyLayer { object["empty_layer"] = .bool(true) }
        return .object(object)
    }
}
