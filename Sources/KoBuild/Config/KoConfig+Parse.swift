import KoImage
import KoLog

/// Reading `.ko.yaml`'s YAML tree into a `KoConfig`, with errors that name
/// the file, the line and the key.
///
/// Values are checked here when they can be, so that a mistake is reported
/// at its line before anything is built: image references, platforms and
/// `KEY=VALUE` entries. Templates need the build's environment and are
/// expanded later, with the lines kept for their errors.
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
            case "defaultBaseImage": config.defaultBaseImage = try reader.imageReference(value, key: key)
            case "baseImageOverrides": config.baseImageOverrides = try reader.baseImageOverrides(value)
            case "defaultPlatforms": config.defaultPlatforms = try reader.platforms(value, key: key)
            case "defaultEnv":
                (config.defaultEnv, config.defaultLines.env) = try reader.environment(value, key: key)
            case "defaultFlags":
                (config.defaultFlags, config.defaultLines.flags) = try reader.locatedList(value, key: key)
            case "defaultLdflags":
                (config.defaultLdflags, config.defaultLines.ldflags) = try reader.locatedList(value, key: key)
            case "builds":
                guard case let .sequence(items, _) = value else {
                    throw reader.error(value, "'builds' must be a list of build entries")
                }
                config.builds = try items.enumerated().map { try reader.build($1, index: $0) }
            default:
                logger.warning("\(file):\(keyLine): unknown key '\(InputQuoting.quote(key))' is ignored")
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
        try locatedList(node, key: key, commas: commas).values
    }

    /// A list of strings and the line of each; a single string is a list of one.
    func locatedList(_ node: YAMLNode, key: String,
                     commas: Bool = false) throws -> (values: [String], lines: [Int]) {
        switch node {
        case let .sequence(items, _):
            return (try items.map { try string($0, key: key) }, items.map(\.line))
        case let .scalar(text, line) where commas:
            let values = text.split(separator: ",").map(String.init)
            return (values, Array(repeating: line, count: values.count))
        case let .scalar(text, line):
            return ([text], [line])
        default:
            throw error(node, "'\(key)' must be a list of strings")
        }
    }

    /// `KEY=VALUE` entries, each checked at its own line.
    func environment(_ node: YAMLNode, key: String) throws -> (values: [String], lines: [Int]) {
        let (values, lines) = try locatedList(node, key: key)
        for (entry, line) in zip(values, lines) {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw BuildError.invalidConfig(file: file, line: line,
                                               reason: "'\(key)' entry '\(InputQuoting.quote(entry))' is not "
                                                   + "KEY=VALUE")
            }
        }
        return (values, lines)
    }

    func stringMap(_ node: YAMLNode, key: String) throws -> [String: String] {
        guard case let .mapping(pairs, _) = node else { throw error(node, "'\(key)' must be a mapping") }
        var result: [String: String] = [:]
        for (name, _, value) in pairs {
            result[name] = try string(value, key: "\(key).\(InputQuoting.quote(name))")
        }
        return result
    }

    /// A base image, which must be an image reference.
    func imageReference(_ node: YAMLNode, key: String) throws -> String {
        let text = try string(node, key: key)
        do {
            _ = try ImageReference(parsing: text)
        } catch {
            throw self.error(node, "'\(key)': \(error)")
        }
        return text
    }

    func baseImageOverrides(_ node: YAMLNode) throws -> [String: String] {
        guard case let .mapping(pairs, _) = node else { throw error(node, "'baseImageOverrides' must be a mapping") }
        var result: [String: String] = [:]
        for (importPath, _, value) in pairs {
            result[importPath] = try imageReference(value,
                                                    key: "baseImageOverrides.\(InputQuoting.quote(importPath))")
        }
        return result
    }

    /// Platforms as `--platform` takes them: `all`, `host` or `os/arch[/variant][:osversion]`.
    func platforms(_ node: YAMLNode, key: String) throws -> [String] {
        let (values, lines) = try locatedList(node, key: key, commas: true)
        for (name, line) in zip(values, lines) where name != "all" && name != "host" {
            guard (try? PlatformSelection.parse(name)) != nil else {
                throw BuildError.invalidConfig(file: file, line: line,
                                               reason: "'\(key)' entry '\(InputQuoting.quote(name))' is not a "
                                                   + "platform: expected os/arch[/variant][:osversion], "
                                                   + "'all' or 'host'")
            }
        }
        return values
    }

    func build(_ node: YAMLNode, index: Int) throws -> BuildConfig {
        guard case let .mapping(pairs, _) = node else { throw error(node, "each 'builds' entry must be a mapping") }
        var build = BuildConfig(id: "#\(index)")
        build.lines.entry = node.line
        for (key, keyLine, value) in pairs {
            switch key {
            case "id": build.id = try string(value, key: key)
            case "dir": (build.dir, build.lines.dir) = (try string(value, key: key), value.line)
            case "main": (build.main, build.lines.main) = (try string(value, key: key), value.line)
            case "env": (build.env, build.lines.settings.env) = try environment(value, key: key)
            case "flags": (build.flags, build.lines.settings.flags) = try locatedList(value, key: key)
            case "ldflags": (build.ldflags, build.lines.settings.ldflags) = try locatedList(value, key: key)
            case "image": build.image = try imageSettings(value)
            default:
                logger.warning("\(file):\(keyLine): unknown key '\(InputQuoting.quote(key))' in build "
                    + "\(InputQuoting.quote(build.id)) is ignored")
            }
        }
        return build
    }

    func imageSettings(_ node: YAMLNode) throws -> ImageSettings {
        guard case let .mapping(pairs, _) = node else { throw error(node, "'image' must be a mapping") }
        var settings = ImageSettings()
        for (key, keyLine, value) in pairs {
            switch key {
            case "env": settings.env = try environment(value, key: "image.env").values
            case "args": settings.args = try stringList(value, key: "image.args")
            case "workingDir": settings.workingDir = try string(value, key: "image.workingDir")
            case "user": settings.user = try string(value, key: "image.user")
            case "labels": settings.labels = try stringMap(value, key: "image.labels")
            case "annotations": settings.annotations = try stringMap(value, key: "image.annotations")
            default: logger.warning("\(file):\(keyLine): unknown key 'image.\(InputQuoting.quote(key))' is ignored")
            }
        }
        return settings
    }
}
