/// A value on the D-Bus wire, as far as the Secret Service calls need them
/// (D-Bus specification, "Type System").
indirect enum DBusValue: Equatable {
    case byte(UInt8)
    case boolean(Bool)
    case uint32(UInt32)
    case int32(Int32)
    /// Any 16-bit or 64-bit integer or double, kept as its raw bits.
    case other(UInt64)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// An array of anything but bytes; `element` is the element's signature.
    case array(element: String, [DBusValue])
    /// `ay`, kept as bytes.
    case bytes([UInt8])
    case structure([DBusValue])
    case dictEntry(DBusValue, DBusValue)
    case variant(signature: String, DBusValue)

    /// `a{ss}` from a dictionary.
    static func stringDictionary(_ pairs: [String: String]) -> DBusValue {
        let entries = pairs.sorted { $0.key < $1.key }.map { DBusValue.dictEntry(.string($0.key), .string($0.value)) }
        return .array(element: "{ss}", entries)
    }

    /// The strings of an `a{ss}`, or nil for another type.
    var stringDictionary: [String: String]? {
        guard case let .array(_, entries) = self else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            guard case let .dictEntry(.string(key), .string(value)) = entry else { return nil }
            result[key] = value
        }
        return result
    }

    /// The object paths of an `ao`, or nil for another type.
    var objectPaths: [String]? {
        guard case let .array(_, values) = self else { return nil }
        var paths: [String] = []
        for value in values {
            guard case let .objectPath(path) = value else { return nil }
            paths.append(path)
        }
        return paths
    }

    /// The alignment of the first type in `signature`, in bytes.
    static func alignment(of signature: Substring) -> Int {
        switch signature.first {
        case "y", "g", "v": return 1
        case "n", "q": return 2
        case "(", "{", "x", "t", "d": return 8
        default: return 4
        }
    }
}
