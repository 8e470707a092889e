import KoJSON

/// Where a new member goes in config.json, so that a file the Docker CLI
/// wrote and ko then edits comes out as the Docker CLI would have written it.
///
/// The Docker CLI saves its `ConfigFile` struct with Go's
/// `json.MarshalIndent`: top-level members and the members of an `auths`
/// entry in the struct's field order, the keys of maps (`auths`,
/// `credHelpers`) sorted by their bytes. Existing members never move (a file
/// edited by hand keeps its order); only a member that is added is placed.
enum DockerConfigLayout {
    /// How the members of one object are ordered.
    enum Order {
        /// A Go struct: members in this field order; other keys are not
        /// fields and are passed over.
        case fields([String])
        /// A Go map: keys sorted by their UTF-8 bytes.
        case sortedKeys
    }

    /// The top-level fields of the Docker CLI's `ConfigFile`, in order.
    static let configFields: Order = .fields([
        "auths", "HttpHeaders", "psFormat", "imagesFormat", "networksFormat", "pluginsFormat", "volumesFormat",
        "statsFormat", "detachKeys", "credsStore", "credHelpers", "serviceInspectFormat", "servicesFormat",
        "tasksFormat", "secretFormat", "configFormat", "nodesFormat", "pruneFilters", "proxies", "experimental",
        "currentContext", "cliPluginsExtraDirs", "plugins", "aliases", "features",
    ])

    /// The fields of the Docker CLI's `AuthConfig` (one `auths` entry), in order.
    static let authFields: Order = .fields([
        "username", "password", "auth", "email", "serveraddress", "identitytoken", "registrytoken",
    ])

    /// `object` with `key` set to `value`, or removed when `value` is nil.
    /// A key that is already there keeps its place; a new one is put where
    /// `order` says.
    static func setting(_ key: String, to value: JSONValue?, in object: JSONObject, order: Order) -> JSONObject {
        var result = object
        guard let value, result[key] == nil else {
            result[key] = value
            return result
        }
        var members = result.members
        members.insert(JSONObject.Member(key: key, value: value),
                       at: insertionIndex(of: key, in: members, order: order))
        return JSONObject(members)
    }

    /// Before the first member that `order` puts after `key`; at the end
    /// when there is none.
    static func insertionIndex(of key: String, in members: [JSONObject.Member], order: Order) -> Int {
        switch order {
        case .sortedKeys:
            return members.firstIndex { key.utf8.lexicographicallyPrecedes($0.key.utf8) } ?? members.count
        case let .fields(fields):
            guard let rank = fields.firstIndex(of: key) else { return members.count }
            return members.firstIndex { member in
                fields.firstIndex(of: member.key).map { $0 > rank } ?? false
            } ?? members.count
        }
    }
}
