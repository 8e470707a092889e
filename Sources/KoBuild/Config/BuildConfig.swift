/// One entry of `.ko.yaml`'s `builds`: how one command is compiled, and
/// (beyond ko) how its image is set up.
public struct BuildConfig: Sendable, Equatable {
    /// A name for messages; `#<index>` when the file gives none.
    public var id: String
    /// Where `go` runs, relative to the working directory.
    public var dir = "."
    /// The command's package (or a file in it), relative to `dir`.
    public var main = "."
    /// Extra `go build` environment, `KEY=VALUE`.
    public var env: [String] = []
    /// Extra `go build` flags; templates allowed.
    public var flags: [String] = []
    /// Linker flags, joined into one `-ldflags`; templates allowed.
    public var ldflags: [String] = []
    /// The image's own settings for this command.
    public var image = ImageSettings()
    /// Where in `.ko.yaml` the entry and its values are, for messages.
    public var lines = Lines()

    public init(id: String) { self.id = id }

    /// Lines of a build entry's values in `.ko.yaml`; nil or empty for an entry made in code.
    public struct Lines: Sendable, Equatable {
        public var entry: Int?
        public var dir: Int?
        public var main: Int?
        /// One line for each of `env`, `flags` and `ldflags`, in order.
        public var settings = SettingLines()

        public init() {}
    }
}

/// The line of each entry of `env`, `flags` and `ldflags` lists in `.ko.yaml`.
public struct SettingLines: Sendable, Equatable {
    public var env: [Int] = []
    public var flags: [Int] = []
    public var ldflags: [Int] = []

    public init() {}
}

/// What the image's config and manifest say beyond ko's defaults: ko's
/// `--image-label`, `--image-annotation` and `--image-user`, and the settings
/// ko's users keep asking for: environment, arguments and working directory.
public struct ImageSettings: Sendable, Equatable {
    /// `KEY=VALUE` added to the config's `Env`, replacing a base entry of the same key.
    public var env: [String] = []
    /// The config's `Cmd`: arguments after the entrypoint. nil keeps ko's empty Cmd.
    public var args: [String]?
    public var workingDir: String?
    public var user: String?
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]

    public init() {}

    /// These settings with `other`'s laid over them (flags over the file).
    public func overlaid(with other: ImageSettings) -> ImageSettings {
        var result = self
        result.env += other.env
        result.args = other.args ?? args
        result.workingDir = other.workingDir ?? workingDir
        result.user = other.user ?? user
        result.labels.merge(other.labels) { _, new in new }
        result.annotations.merge(other.annotations) { _, new in new }
        return result
    }
}
