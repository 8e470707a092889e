// Rewritten by `make` before a release build; keep the shape of this file.
enum GitCommit {
    static let value = "unknown"
}
