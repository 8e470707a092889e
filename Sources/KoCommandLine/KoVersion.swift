/// The version every executable reports and sends as its User-Agent.
public enum KoVersion {
    public static let number = "0.1.0"

    /// The short commit the binaries were built from, stamped in by `make`
    /// through `KO_GIT_COMMIT` at build time; "unknown" for a plain `swift build`.
    public static var commit: String { GitCommit.value }

    public static var description: String { "\(number) (commit \(commit))" }

    public static var userAgent: String { "ko/\(number)" }
}
