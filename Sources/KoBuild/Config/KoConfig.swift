import Foundation
import KoImage
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
    /// `go build` environment, flags and linker flags for commands without a `builds` entry of their own.
    public var defaultEnv: [String] = []
    public var defaultFlags: [String] = []
    public var defaultLdflags: [String] = []
    /// Where `defaultEnv`, `defaultFlags` and `defaultLdflags` entries are in the file.
    public var defaultLines = SettingLines()
    /// Per-command build settings.
    public var builds: [BuildConfig] = []
    /// The file this came from, for messages (control characters escaped).
    public var file: String?

    /// The base ko uses when nothing else is said.
    public static let builtInBaseImage = "cgr.dev/chainguard/static:latest"

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
        guard let path = try locate(directory: directory, environment: environment) else {
            return KoConfig()
        }
        // Messages name the file; a path with control characters in it must not break their line.
        let shown = InputQuoting.quote(path, limit: 4096)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BuildError.invalidConfig(file: shown, line: nil, reason: "cannot be read")
        }
        let root = try YAMLNode.parse(bytes: [UInt8](data), file: shown)
        return try parse(root, file: shown, logger: logger)
    }

    /// The file to read: `KO_CONFIG_PATH`'s, which must exist (as ko
    /// requires), else `.ko.yaml` in `directory` if there is one.
    static func locate(directory: String, environment: [String: String]) throws -> String? {
        let fileManager = FileManager.default
        if let configured = environment["KO_CONFIG_PATH"], !configured.isEmpty {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: configured, isDirectory: &isDirectory) else {
                throw BuildError.invalidConfig(file: InputQuoting.quote(configured, limit: 4096), line: nil,
                                               reason: "does not exist; KO_CONFIG_PATH must name a .ko.yaml "
                                                   + "file or a directory holding one")
            }
            guard isDirectory.boolValue else { return configured }
            let inside = configured + "/.ko.yaml"
            guard fileManager.fileExists(atPath: inside) else {
                throw BuildError.invalidConfig(file: InputQuoting.quote(inside, limit: 4096), line: nil,
                                               reason: "does not exist; KO_CONFIG_PATH names a directory that "
                                                   + "holds no .ko.yaml")
            }
            return inside
        }
        let local = directory + "/.ko.yaml"
        return fileManager.fileExists(atPath: local) ? local : nil
    }
}
