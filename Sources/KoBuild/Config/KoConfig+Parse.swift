import KoLog

/// Reading `.ko.yaml`'s YAML tree into a `KoConfig`, with errors that name
/// the file, the line and the key.
extension KoConfig {
    static func parse(_ root: YAMLNode, file: String, logger: Logger) throws -> KoConfig {
        var config = KoConfig()
        config.file = file
        let reader = ConfigReader(file: file, logger: logger)
        guard case let .mapping(pairs, _) = root else {
            if case .scalar("", _) = root { return config }
            throw BuildError.invalidConfig(file: file, line: root.line, reason: "expected a mapping of keys")
        }
        for (key, keyLine, value) in pairs {
            switch key {
            case "defaultBaseImage": config.defaultBaseImage = try reader.string(value, key: key)
            case "baseImageOverrides": config.baseImageOverrides = try reader.stringMap(value, key: key)
            case "defaultPlatforms": config.defaultPlatforms = try reader.stringList(value, key: key, commas: true)
            case "defaultEnv": config.defaultEnv = try reader.stringList(value, key: key)
            case "defaultFlags": config.defaultFlags = try reader.stringList(value, key: key)
            case "defaultLdflags": config.defaultLdflags = try reader.stringList(value, key: key)
            case "builds":
                guard case let .sequence(items, _) = value else {
                    throw reader.error(value, "'builds' must be a list of build entries")
                }
                config.builds = try items.enumerated().map { try reader.build($1, index: $0) }
            default:
                logger.warning("\(file):\(keyLine): unknown key '\(key)' is ignored")
            }
        }
        return config
    }
}

/// Typed reads of YAML nodes for one config file.
struct ConfigReader {
    let file: String
    let logger: Logger

    func error(_ node: YAMLNode, _ reason: String) -> BuildError {
        BuildError.invalidConfig(file: file, line: node.line, reason: reason)
    }

    func string(_ node: YAMLNode, key: String) throws -> String {
        guard let text = node.scalar else { throw error(node, "'\(key)' must be a string") }
        return text
    }

    /// A list of strings; with `commas`, a single `a,b` string is a list too.
    func stringList(_ node: YAMLNode, key: String, commas: Bool = false) throws -> [String] {
        switch node {
        case let .sequence(items, _): return try items.map { try string($0, key: key) }
        case let .scalar(text, _) where commas: return text.split(separator: ",").map(String.init)
        case let .scalar(text, _): return [text]
        default: throw error(node, "'\(key)' must be a list of strings")
        }
    }

    func stringMap(_ node: YAMLNode, key: String) throws -> [String: String] {
        guard case let .mapping(pairs, _) = node else { throw error(node, "'\(key)' must be a mapping") }
        var result: [String: String] = [:]
        for (name, _, value) in pairs { result[name] = try string(value, key: "\(key).\(name)") }
        return result
    }

    func build(_ node: YAMLNode, index: Int) throws -> BuildConfig {
        guard case let .mapping(pairs, _) = node else { throw error(node, "each 'builds' entry must be a mapping") }
        var build = BuildConfig(id: "#\(index)")
        for (key, keyLine, value) in pairs {
            switch key {
            case "id": build.id = try string(value, key: key)
            case "dir": build.dir = try string(value, key: key)
            case "main": build.main = try string(value, key: key)
            case "env": build.env = try stringList(value, key: key)
            case "flags": build.flags = try stringList(value, key: key)
            case "ldflags": build.ldflags = try stringList(value, key: key)
            case "image": build.image = try imageSettings(value)
            default: logger.warning("\(file):\(keyLine): unknown key '\(key)' in build \(build.id) is ignored")
            }
        }
        return build
    }

    func imageSettings(_ node: YAMLNode) throws -> ImageSettings {
        guard case let .mapping(pairs, _) = node else { throw error(node, "'image' must be a mapping") }
        var settings = ImageSettings()
        for (key, keyLine, value) in pairs {
            switch key {
            case "env": settings.env = try stringList(value, key: "image.env")
            case "args": settings.args = try stringList(value, key: "image.args")
            case "workingDir": settings.workingDir = try string(value, key: "image.workingDir")
            case "user": settings.user = try string(value, key: "image.user")
            case "labels": settings.labels = try stringMap(value, key: "image.labels")
            case "annotations": settings.annotations = try stringMap(value, key: "image.annotations")
            default: logger.warning("\(file):\(keyLine): unknown key 'image.\(key)' is ignored")
            }
        }
        return settings
    }
}
