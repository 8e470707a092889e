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
    /// `go build` environment, flags and linker flags for commands without a `builds` entry of their own.
    public var defaultEnv: [String] = []
    public var defaultFlags: [String] = []
    public var defaultLdflags: [String] = []
    /// Per-command build settings.
    public var builds: [BuildConfig] = []
    /// The file this came from, for messages.
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
}
