import KoJSON

extension DockerConfigFile {
    /// The top-level members the Docker CLI decodes into Go maps: `auths`,
    /// `HttpHeaders`, `credHelpers`, `proxies`, `plugins`, `aliases` and
    /// `features`.
    static let mapFields: Set<String> = [
        "auths", "HttpHeaders", "credHelpers", "proxies", "plugins", "aliases", "features",
    ]

    /// `root` as Go's `encoding/json` decodes it into the Docker CLI's
    /// `ConfigFile`, so that a hand-edited file with a member written twice
    /// loses nothing.
    ///
    /// Go decodes a repeated map-valued member into the map it already
    /// holds: the entries of every occurrence survive, and a key repeated
    /// (in one occurrence or across several) keeps its last value. A `null`
    /// occurrence empties the map. Here the occurrences become one member in
    /// the place of the first, each key where it first appears, holding its
    /// last value. Scalar and array members are left as they are: reading
    /// one gives its last value, as in Go, and setting one keeps the first
    /// place. A document without repeats comes back unchanged.
    static func mergingRepeatedMaps(_ root: JSONObject, path: String) throws -> JSONObject {
        var members: [JSONObject.Member] = []
        var placed: [String: Int] = [:]
        for member in root.members {
            guard mapFields.contains(member.key) else {
                members.append(member)
                continue
            }
            guard let index = placed[member.key] else {
                placed[member.key] = members.count
                members.append(JSONObject.Member(key: member.key, value: deduplicated(member.value)))
                continue
            }
            let merged: JSONValue
            switch (members[index].value, member.value) {
            case (.null, .null), (.object, .null):
                merged = .null
            case let (.null, .object(later)):
                merged = deduplicated(.object(later))
            case let (.object(earlier), .object(later)):
                merged = .object(merging(later, into: earlier))
            default:
                // Go refuses such a file too: the Docker CLI cannot load it.
                throw ConfigFileError.invalidField(path: path, field: member.key,
                                                   expected: "an object each time it appears")
            }
            members[index].value = merged
        }
        return JSONObject(members)
    }

    /// An object's members with each repeated key once, in its first place
    /// with its last value; any other value as it is.
    private static func deduplicated(_ value: JSONValue) -> JSONValue {
        guard case let .object(object) = value else { return value }
        return .object(merging(object, into: JSONObject()))
    }

    /// `earlier` with the members of `later` set on it in order.
    private static func merging(_ later: JSONObject, into earlier: JSONObject) -> JSONObject {
        var result = earlier
        for member in later.members { result[member.key] = member.value }
        return result
    }
}
