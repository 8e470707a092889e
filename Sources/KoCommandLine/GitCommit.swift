// The commit a binary was built from.
//
// SwiftPM has no way to pass a string into Swift at build time, so `make`
// writes the commit into GitCommit+Stamp.swift (ignored by git) and builds
// with -DKO_GIT_COMMIT_STAMPED, which swaps that file's definition in for
// this one. A plain `swift build` never sees the flag and says "unknown";
// no tracked file changes in either case.
#if !KO_GIT_COMMIT_STAMPED
enum GitCommit {
    static let value = "unknown"
}
#endif
