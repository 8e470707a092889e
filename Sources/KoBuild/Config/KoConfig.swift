import Foundation
import KoLog

/// What `.ko.yaml` says, as far as this version of ko reads it.
///
/// Found in the working directory, or at `KO_CONFIG_PATH` (a file, or a
/// directory holding `.ko.yaml`). `KO_DEFAULTBASEIMAGE` overrides the file.
public struct KoConfig: Sendable {
    /// The base image for every import path without an override.
    public var defaultBaseImage: String?
    /// Base images by import path.
    public var baseImageOverrides: [String: String] = [:]
    /// Platforms to build when none is given on the command line.
    public var defaultPlatforms: [String] = []
    /// The file this came from, for messages.
    public var file: String?

    /// The base ko uses when nothing else is said.
    public static let builtInBaseImage = "cgr.dev/chainguard/static:latest"

    /// Keys ko defines; the ones not yet acted on here are accepted quietly.
    static let knownKeys: Set<String> = [
        "defaultBaseImage", "baseImageOverrides", "defaultPlatforms", "defaultEnv",
        "defaultFlags", "defaultLdflags", "builds",
    ]

    public init() {}

    /// The base image for `importPath`, by ko's precedence.
    public func baseImage(for importPath: String, environment: [String: String]) -> String {
        if let override = baseImageOverrides[importPath] { return override }
        if let fromEnvironment = environment["KO_DEFAULTBASEIMAGE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return defaultBaseImage ?? Self.builtInBaseImage
    }

    /// Loads the configuration for a build run in `directory`.
    public static func load(directory: String, environment: [String: String],
                            logger: Logger) throws -> KoConfig {
        guard let path = locate(directory: directory, environment: environment) else {
            return KoConfig()
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BuildError.invalidConfig(file: path, line: nil, reason: "cannot be read")
        }
        let root = try YAMLNode.parse(String(decoding: data, as: UTF8.self), file: path)
        return try parse(root, file: path, logger: logger)
    }

    static func locate(directory: String, environment: [String: String]) -> String? {
        let fileManager = FileManager.default
        if let configured = environment["KO_CONFIG_PATH"], !configured.isEmpty {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: configured, isDirectory: &isDirectory), isDirectory.boolValue {
                let inside = configured + "/.ko.yaml"
                return fileManager.fileExists(atPath: inside) ? inside : nil
            }
            return configured
        }
        let local = directory + "/.ko.yaml"
        return fileManager.fileExists(atPath: local) ? local : nil
    }

    static func parse(_ root: YAMLNode, file: String, logger: Logger) throws -> KoConfig {
        var config = KoConfig()
        config.file = file
        guard case let .mapping(pairs, _) = root else {
            if case .scalar("", _) = root { return config }
            throw BuildError.invalidConfig(file: file, line: root.line, reason: "expected a mapping of keys")
        }
        for (key, keyLine, value) in pairs {
            switch key {
            case "defaultBaseImage":
                config.defaultBaseImage = try string(value, key: key, file: file)
            case "baseImageOverrides":
                guard case let .mapping(overrides, _) = value else {
                    throw BuildError.invalidConfig(file: file, line: value.line,
                                                   reason: "'baseImageOverrides' must map import paths to images")
                }
                for (importPath, _, image) in overrides {
                    config.baseImageOverrides[importPath] = try string(image, key: importPath, file: file)
                }
            case "defaultPlatforms":
                switch value {
                case let .sequence(items, _):
                    config.defaultPlatforms = try items.map { try string($0, key: key, file: file) }
                case let .scalar(text, _):
                    config.defaultPlatforms = text.split(separator: ",").map(String.init)
                default:
                    throw BuildError.invalidConfig(file: file, line: value.line,
                                                   reason: "'defaultPlatforms' must be a list of platforms")
                }
            default:
                if !knownKeys.contains(key) {
                    logger.warning("\(file):\(keyLine): unknown key '\(key)' is ignored")
                }
            }
        }
        return config
    }

    private static func string(_ node: YAMLNode, key: String, file: String) throws -> String {
        guard let text = node.scalar else {
            throw BuildError.invalidConfig(file: file, line: node.line, reason: "'\(key)' must be a string")
        }
        return text
    }
}
