/// The version every executable reports and sends as its User-Agent.
public enum KoVersion {
    public static let number = "0.1.0"

    /// The date of this version, shown in the man pages' headers.
    public static let manualDate = "2026-12-04"

    /// The commit the binaries were built from. `make` stamps it in (see
    /// GitCommit.swift); a plain `swift build` says "unknown".
    public static var commit: String { GitCommit.value }

    /// `0.1.0 (commit 1a2b3c4d5e6f)`.
    public static var description: String { "\(number) (commit \(commit))" }

    /// `ko/0.1.0`, the User-Agent of every HTTP request.
    public static var userAgent: String { "ko/\(number)" }
}
