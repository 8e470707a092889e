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
        try Self.checkLowercase(repo)
        // Registries refuse uppercase names; like ko, the part that comes
        // from the import path is lowercased (the md5 is of the original).
        switch self {
        case .bare:
            return repo
        case .md5:
            let md5 = MessageDigest.md5()
            md5.update(importPath.utf8)
            return "\(repo)/\(basename(importPath).lowercased())-\(hexString(md5.finalize()))"
        case .baseImportPath:
            return "\(repo)/\(basename(importPath).lowercased())"
        case .preserveImportPath:
            return "\(repo)/\(importPath.lowercased())"
        }
    }

    /// KO_DOCKER_REPO itself must name a lowercase repository; the registry
    /// host may carry uppercase letters.
    static func checkLowercase(_ dockerRepo: String) throws {
        guard let slash = dockerRepo.firstIndex(of: "/") else { return }
        let path = dockerRepo[dockerRepo.index(after: slash)...]
        if path != path.lowercased() {
            throw BuildError.invalidDockerRepo(
                dockerRepo, reason: "the repository path '\(path)' has uppercase letters, which registries refuse; "
                    + "use '\(path.lowercased())'")
        }
    }

    private func basename(_ importPath: String) -> String {
        importPath.split(separator: "/").last.map(String.init) ?? importPath
    }
}
