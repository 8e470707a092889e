import Foundation
import KoProcess

/// What `{{.Git.…}}` templates can say about the working tree, asked of the
/// `git` on PATH the way GoReleaser and ko describe them.
enum GitFacts {
    /// Every `.Git` field; fields git cannot answer (no tag yet) are empty.
    static func read(directory: String, environment: [String: String]) throws -> [String: String] {
        func git(_ arguments: [String]) throws -> String? {
            let result = try ChildProcess.run("git", arguments, environment: environment, directory: directory)
            guard result.status == 0 else { return nil }
            return result.outputText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let fullCommit = try git(["rev-parse", "HEAD"]) else {
            throw BuildError.toolFailed("git", "\(directory) is not in a git repository with a commit, "
                + "which the {{.Git}} template fields need")
        }
        let dirty = !(try git(["status", "--porcelain"]) ?? "").isEmpty
        return [
            "Branch": try git(["rev-parse", "--abbrev-ref", "HEAD"]) ?? "",
            "Tag": try git(["describe", "--tags", "--abbrev=0"]) ?? "",
            "ShortCommit": try git(["rev-parse", "--short", "HEAD"]) ?? "",
            "FullCommit": fullCommit,
            "CommitDate": try git(["log", "-1", "--format=%cI"]) ?? "",
            "CommitTimestamp": try git(["log", "-1", "--format=%ct"]) ?? "",
            "IsDirty": dirty ? "true" : "false",
            "IsClean": dirty ? "false" : "true",
            "TreeState": dirty ? "dirty" : "clean",
        ]
    }
}
