import Foundation
import KoImage

/// Building many programs for one platform (`ko resolve`, `ko build a b c`):
/// programs with the same build settings are compiled by one `go build`,
/// which shares the loading of the module and the standard library between
/// them and keeps every core busy, instead of one `go build` each.
extension BuildSession {
    /// Compiles what can be compiled together and returns the binaries, by
    /// `compileKey`, and the keys of every program announced. A group whose
    /// `go build` fails is left out: its programs are then compiled one by
    /// one, so each error names its own program.
    func compileTogether(_ packages: [GoPackage]) -> (binaries: [String: String], announced: Set<String>) {
        guard let wanted = platforms, wanted.count == 1, packages.count > 1 else { return ([:], []) }
        let platform = wanted[0]
        var groups: [String: [(package: GoPackage, settings: GoBuildSettings)]] = [:]
        for package in packages {
            guard let settings = try? planner.settings(for: package), !isVersionSuffix(package.commandName) else {
                continue
            }
            let identity = ([settings.directory] + settings.flags + ["--"] + settings.ldflags + ["--"]
                + settings.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: "\n")
            groups[identity, default: []].append((package, settings))
        }
        var binaries: [String: String] = [:]
        var announced: Set<String> = []
        for group in groups.values where group.count > 1 {
            let names = group.map(\.package.commandName)
            guard Set(names).count == names.count, let settings = group.first?.settings else { continue }
            do {
                for (package, _) in group {
                    logger.info("Building \(package.importPath) for \(platform)")
                    announced.insert(compileKey(package, platform))
                }
                let built = try compileGroup(group.map(\.package), settings: settings, platform: platform)
                binaries.merge(built) { first, _ in first }
            } catch {
                logger.debug("building \(names.joined(separator: ", ")) together failed; one by one then: \(error)")
            }
        }
        return (binaries, announced)
    }

    /// The key of a binary compiled ahead: import path and platform.
    func compileKey(_ package: GoPackage, _ platform: Platform) -> String {
        package.importPath + "@" + platform.description
    }

    private func compileGroup(_ group: [GoPackage], settings: GoBuildSettings,
                              platform: Platform) throws -> [String: String] {
        let identity = ["together", platform.description, settings.directory] + group.map(\.importPath).sorted()
            + settings.flags + ["--"] + settings.ldflags
        var output = try scratch.subdirectory(for: "together-" + platform.description)
        var extra = settings.environment
        var lock: CacheFileLock?
        var linkAllowed = false
        // Kept between runs, as single builds are (see `CompiledBinary`).
        if let cache, let kept = try? cache.outputDirectory(for: identity), let held = try? cache.lockOutput(kept) {
            (output, lock) = (kept, held)
            if options.environment["GOTMPDIR"] == nil, let temporary = try? cache.temporaryDirectory() {
                extra["GOTMPDIR"] = temporary
                linkAllowed = true
            }
        }
        defer { withExtendedLifetime(lock) {} }
        try GoToolchain(environment: options.environment, directory: settings.directory)
            .buildAll(group, platform: platform, outputDirectory: output,
                      flags: parallelism(settings) + settings.flags, ldflags: settings.ldflags, extraEnvironment: extra)
        var binaries: [String: String] = [:]
        for package in group {
            let binary = try scratch.subdirectory(for: compileKey(package, platform)) + "/" + package.commandName
            try LayerCache.placeOutput(output + "/" + package.commandName, at: binary, linkAllowed: linkAllowed)
            binaries[compileKey(package, platform)] = binary
        }
        return binaries
    }

    /// `-p N` from `-j N`: one `go build` of many programs then runs no more
    /// compiles and links at once than `-j` builds would, and never more than
    /// Go's own default (one per CPU), which `-j`'s default exceeds on
    /// purpose for separate builds. A `-p` of the user's own (in the build's
    /// flags or GOFLAGS) is left to decide.
    private func parallelism(_ settings: GoBuildSettings) -> [String] {
        let goflags = (settings.environment["GOFLAGS"] ?? options.environment["GOFLAGS"] ?? "")
            .split(separator: " ").map(String.init)
        let own = (settings.flags + goflags).contains { $0 == "-p" || $0.hasPrefix("-p=") }
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        return own ? [] : ["-p", String(min(options.jobs, cpus))]
    }

    /// `v2`, `v3`…: Go names such a program after the element before it.
    private func isVersionSuffix(_ name: String) -> Bool {
        name.count > 1 && name.first == "v" && name.dropFirst().allSatisfy(\.isNumber)
    }
}
