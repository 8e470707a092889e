import Foundation
import KoImage
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
        let file = config.file ?? ".ko.yaml"
        var builds: [String: BuildConfig] = [:]
        for build in config.builds {
            let id = InputQuoting.quote(build.id)
            let directory = Self.join(options.workingDirectory, build.dir)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw BuildError.invalidConfig(file: file, line: build.lines.dir ?? build.lines.entry,
                                               reason: "build \(id): dir '\(InputQuoting.quote(build.dir))' "
                                                   + "is not a directory")
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
                throw BuildError.invalidConfig(file: file, line: build.lines.main ?? build.lines.entry,
                                               reason: "build \(id): main '\(InputQuoting.quote(build.main))' "
                                                   + "in '\(InputQuoting.quote(build.dir))' is not a Go package: "
                                                   + InputQuoting.quote("\(error)", limit: 300))
            }
            // ko lets the last entry win without a word; two entries for one
            // command are a mistake in the file, so it is reported at the second.
            if let earlier = builds[importPath] {
                throw BuildError.invalidConfig(file: file, line: build.lines.main ?? build.lines.entry,
                                               reason: "build \(id) builds \(importPath), which build "
                                                   + "\(InputQuoting.quote(earlier.id))"
                                                   + (earlier.lines.entry.map { " (line \($0))" } ?? "")
                                                   + " already builds: merge the two entries")
            }
            builds[importPath] = build
        }
        buildsByImportPath = builds
    }

    /// The settings for `package`: its build entry if it has one, else the file's defaults.
    ///
    /// Each setting keeps where it came from, so that a bad entry, a template
    /// that cannot be expanded or a refused flag is reported at its line of
    /// `.ko.yaml`, or by the flag that gave it.
    func settings(for package: GoPackage) throws -> GoBuildSettings {
        let build = buildsByImportPath[package.importPath]
        var settings = GoBuildSettings(directory: Self.join(options.workingDirectory, build?.dir ?? "."))
        let file = config.file ?? ".ko.yaml"
        let defaults = config.defaultLines
        let own = build?.lines.settings ?? SettingLines()

        var environment: [String: BuildSetting] = [:]
        for entry in BuildSetting.fromFile(config.defaultEnv, lines: defaults.env, file: file)
            + BuildSetting.fromFile(build?.env ?? [], lines: own.env, file: file) {
            guard let equals = entry.text.firstIndex(of: "="), equals != entry.text.startIndex else {
                throw entry.error("env entry '\(entry.quoted)' is not KEY=VALUE")
            }
            let name = String(entry.text[..<equals])
            let value = String(entry.text[entry.text.index(after: equals)...])
            settings.environment[name] = value
            environment[name] = entry.with(text: value)
        }

        var flags = BuildSetting.fromFile(config.defaultFlags, lines: defaults.flags, file: file)
        if let build, !build.flags.isEmpty { flags = BuildSetting.fromFile(build.flags, lines: own.flags, file: file) }
        var ldflags = BuildSetting.fromFile(config.defaultLdflags, lines: defaults.ldflags, file: file)
        if let build, !build.ldflags.isEmpty {
            ldflags = BuildSetting.fromFile(build.ldflags, lines: own.ldflags, file: file)
        }
        if let override = options.ldflags {
            ldflags = override.map { BuildSetting(text: $0, origin: .flag("--ldflags")) }
        }

        let values = templateValues(directory: settings.directory)
        let expandedFlags = try flags.map { $0.with(text: try BuildTemplate.expand($0, key: "flags", values: values)) }
        let expandedLdflags = try ldflags.map {
            $0.with(text: try BuildTemplate.expand($0, key: "ldflags", values: values))
        }
        try BuildSettingsPolicy.check(flags: expandedFlags, ldflags: expandedLdflags, environment: environment)
        settings.flags = expandedFlags.map(\.text)
        settings.ldflags = expandedLdflags.map(\.text)
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

extension GoBuildSettings {
    /// Whether the build names its own build ID (`-buildid` in its flags,
    /// linker flags or GOFLAGS): Go then keeps that ID whatever the binary
    /// holds, so the ID cannot stand for the content.
    func setsBuildID(_ userEnvironment: [String: String]) -> Bool {
        let goflags = environment["GOFLAGS"] ?? userEnvironment["GOFLAGS"] ?? ""
        return (flags + ldflags + [goflags]).contains { $0.contains("-buildid") }
    }
}
