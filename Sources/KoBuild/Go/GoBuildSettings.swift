import Foundation
import KoProcess

/// How one command is compiled and set up, after `.ko.yaml` and the flags
/// have had their say.
struct GoBuildSettings {
    /// Where `go build` runs.
    var directory: String
    /// `go build` environment laid over the user's: `defaultEnv`, then the build's own `env`.
    var environment: [String: String] = [:]
    var flags: [String] = []
    var ldflags: [String] = []
    var image = ImageSettings()
}

/// Matches `.ko.yaml` build entries to import paths and works out each
/// command's `GoBuildSettings`, as ko does.
struct GoBuildPlanner {
    let config: KoConfig
    let options: BuildOptions
    /// Build entries by the import path their `main` names.
    let buildsByImportPath: [String: BuildConfig]

    init(config: KoConfig, options: BuildOptions) throws {
        self.config = config
        self.options = options
        var builds: [String: BuildConfig] = [:]
        for build in config.builds {
            let directory = Self.join(options.workingDirectory, build.dir)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw BuildError.invalidConfig(file: config.file ?? ".ko.yaml", line: nil,
                                               reason: "build \(build.id): dir '\(build.dir)' is not a directory")
            }
            // GoReleaser's convention, which ko follows: `main` may name a file in the package.
            var main = build.main
            if FileManager.default.fileExists(atPath: Self.join(directory, main), isDirectory: &isDirectory),
               !isDirectory.boolValue {
                main = (main as NSString).deletingLastPathComponent
            }
            let local = main.hasPrefix("./") || main.hasPrefix("../") || main == "." ? main : "./" + main
            let toolchain = GoToolchain(environment: options.environment, directory: directory)
            let importPath: String
            do {
                importPath = try toolchain.importPath(of: local)
            } catch {
                throw BuildError.invalidConfig(file: config.file ?? ".ko.yaml", line: nil,
                                               reason: "build \(build.id): main '\(build.main)' in '\(build.dir)' "
                                                   + "is not a Go package: \(error)")
            }
            builds[importPath] = build
        }
        buildsByImportPath = builds
    }

    /// The settings for `package`: its build entry if it has one, else the file's defaults.
    func settings(for package: GoPackage) throws -> GoBuildSettings {
        let build = buildsByImportPath[package.importPath]
        var settings = GoBuildSettings(directory: Self.join(options.workingDirectory, build?.dir ?? "."))
        for entry in config.defaultEnv + (build?.env ?? []) {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw BuildError.invalidConfig(file: config.file ?? ".ko.yaml", line: nil,
                                               reason: "env entry '\(entry)' is not KEY=VALUE")
            }
            settings.environment[String(parts[0])] = String(parts[1])
        }
        let flags = build.map { $0.flags.isEmpty ? config.defaultFlags : $0.flags } ?? config.defaultFlags
        var ldflags = build.map { $0.ldflags.isEmpty ? config.defaultLdflags : $0.ldflags } ?? config.defaultLdflags
        if let override = options.ldflags { ldflags = override }

        let values = templateValues(directory: settings.directory)
        settings.flags = try flags.map { try BuildTemplate.expand($0, values: values, source: "flags") }
        settings.ldflags = try ldflags.map { try BuildTemplate.expand($0, values: values, source: "ldflags") }
        try BuildSettingsPolicy.check(flags: settings.flags, ldflags: settings.ldflags,
                                      environment: settings.environment,
                                      source: (config.file ?? ".ko.yaml") + (build.map { " build \($0.id)" } ?? ""))
        if options.disableOptimizations { settings.flags += ["-gcflags", "all=-N -l"] }
        settings.image = (build?.image ?? ImageSettings()).overlaid(with: options.image)
        return settings
    }

    private func templateValues(directory: String) -> BuildTemplate.Values {
        let environment = options.environment
        var date = Date()
        if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap(Int64.init) {
            date = Date(timeIntervalSince1970: TimeInterval(epoch))
        }
        var git: [String: String]?
        return BuildTemplate.Values(
            environment: environment,
            goEnvironment: { name in
                let result = try ChildProcess.run("go", ["env", name], environment: environment,
                                                  directory: directory)
                let value = result.outputText.trimmingCharacters(in: .whitespacesAndNewlines)
                return result.status == 0 && !value.isEmpty ? value : nil
            },
            git: {
                if let git { return git }
                let facts = try GitFacts.read(directory: directory, environment: environment)
                git = facts
                return facts
            },
            date: date)
    }

    static func join(_ base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        if relative == "." || relative.isEmpty { return base }
        return base + "/" + relative
    }
}
