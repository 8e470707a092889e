import KoCrypto

/// How an import path becomes a repository name under `KO_DOCKER_REPO`,
/// matching ko's `--bare`, `-B` and `-P` flags.
public enum ImageNaming: String, Sendable, CaseIterable {
    /// `<repo>/<basename>-<md5 of the import path>`: ko's default, unique per import path.
    case md5
    /// `<repo>`: the repository itself (`--bare`).
    case bare
    /// `<repo>/<basename>` (`-B`, `--base-import-paths`).
    case baseImportPath
    /// `<repo>/<import path>` (`-P`, `--preserve-import-paths`).
    case preserveImportPath

    /// The full repository (registry included) for `importPath`.
    public func repository(for importPath: String, dockerRepo: String) throws -> String {
        let repo = dockerRepo.hasSuffix("/") ? String(dockerRepo.dropLast()) : dockerRepo
        let name: String
        switch self {
        case .bare:
            name = repo
        case .md5:
            let md5 = MessageDigest.md5()
            md5.update(importPath.utf8)
            name = "\(repo)/\(basename(importPath))-\(hexString(md5.finalize()))"
        case .baseImportPath:
            name = "\(repo)/\(basename(importPath))"
        case .preserveImportPath:
            name = "\(repo)/\(importPath)"
        }
        try Self.checkLowercase(name, dockerRepo: dockerRepo)
        return name
    }

    /// Registries refuse uppercase repository names; say so before building.
    static func checkLowercase(_ name: String, dockerRepo: String) throws {
        // The registry host may carry uppercase letters; only the path must not.
        let path = name.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? name
        if path != path.lowercased() {
            throw BuildError.invalidDockerRepo(
                dockerRepo, reason: "repository '\(name)' has uppercase letters, which registries refuse; "
                    + "use lowercase, or -B/--bare to drop the import path from the name")
        }
    }

    private func basename(_ importPath: String) -> String {
        importPath.split(separator: "/").last.map(String.init) ?? importPath
    }
}
