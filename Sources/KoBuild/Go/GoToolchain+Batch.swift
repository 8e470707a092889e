import KoImage
import KoProcess

/// Resolving many targets with one `go list`, as `ko resolve` needs: one Go
/// process loads the module once instead of once per target.
extension GoToolchain {
    /// `resolve` of every target, in order. Targets one `go list` run cannot
    /// settle (it failed, or a target matched no single package) are
    /// resolved one by one, so each error names its own target.
    public func resolveAll(_ targets: [String], width: Int) throws -> [GoPackage] {
        guard targets.count > 1 else { return try targets.map { try resolve($0) } }
        let patterns = targets.map { $0.hasPrefix(Self.importPathScheme) ? String($0.dropFirst(5)) : $0 }
        var byImportPath: [String: GoPackage] = [:]
        if !patterns.contains(where: { $0.contains("...") }) {
            let format = "{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{with .Module}}{{.Dir}}{{end}}"
            let result = try ChildProcess.run("go", ["list", "-find", "-f", format, "--"] + patterns,
                                              environment: environment, directory: directory)
            if result.status == 0 {
                for line in result.outputText.split(separator: "\n") {
                    let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                    guard fields.count == 4 else { continue }
                    byImportPath[fields[0]] = GoPackage(importPath: fields[0], name: fields[1], directory: fields[2],
                                                        moduleRoot: fields[3].isEmpty ? fields[2] : fields[3])
                }
            }
        }
        // Import paths match directly; relative targets take the one-by-one road.
        return try ParallelWork.map(Array(zip(targets, patterns)), width: width) { target, pattern in
            guard let package = byImportPath[pattern], !pattern.hasPrefix("."), !pattern.hasPrefix("/") else {
                return try resolve(target)
            }
            guard package.name == "main" else {
                throw BuildError.notMainPackage(importPath: package.importPath, name: package.name)
            }
            return package
        }
    }
}

extension GoToolchain {
    /// Compiles several `main` packages with one `go build -o DIRECTORY/`,
    /// which loads the module and the standard library once and schedules
    /// every compile and link across the cores itself. Each binary lands at
    /// `DIRECTORY/<last element of its import path>`, so the names must differ.
    func buildAll(_ packages: [GoPackage], platform: Platform, outputDirectory: String,
                  flags: [String], ldflags: [String], extraEnvironment: [String: String]) throws {
        try runBuild(packages.map(\.importPath), platform: platform, output: outputDirectory + "/",
                     flags: flags, ldflags: ldflags, extraEnvironment: extraEnvironment,
                     failedImportPath: packages.map(\.importPath).joined(separator: ", "))
    }
}
