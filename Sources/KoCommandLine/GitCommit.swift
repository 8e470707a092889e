// The commit a binary was built from.
//
// SwiftPM cannot pass a string into Swift at build time, so `make build`
// writes GitCommit+Stamp.swift (ignored by git) holding
//
//     extension GitCommit { static var stamped: String? { "1a2b3c4d5e6f" } }
//
// A member declared on the type itself wins over the protocol extension's
// default below, so the stamp is used when the file exists and "unknown"
// otherwise. No tracked file changes, and no compiler flag differs between
// `make` and a plain `swift build`, so neither forces a rebuild of the other.
// A plain `swift build` after a `make build` keeps that build's stamp until
// the next `make build` or `make clean`.

/// Provides `stamped`, which the generated file overrides.
protocol GitCommitStamp {
    static var stamped: String? { get }
}

extension GitCommitStamp {
    static var stamped: String? { nil }
}

enum GitCommit: GitCommitStamp {
    static var value: String { stamped ?? "unknown" }
}
