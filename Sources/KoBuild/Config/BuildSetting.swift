import KoImage

/// One `go build` setting (an environment entry, a flag, a linker flag) and
/// where it came from, so that an error about it points there.
struct BuildSetting {
    /// Where a setting came from.
    enum Origin {
        /// A line of the config file; nil when the config was made in code.
        case file(String, line: Int?)
        /// A command-line flag, such as `--ldflags`.
        case flag(String)
    }

    var text: String
    var origin: Origin

    /// An error about this setting: at its line, or naming its flag.
    func error(_ reason: String) -> BuildError {
        switch origin {
        case let .file(file, line): return .invalidConfig(file: file, line: line, reason: reason)
        case let .flag(name): return .invalidFlag("\(name): \(reason)")
        }
    }

    /// The same origin with other text, such as the setting after its templates are expanded.
    func with(text: String) -> BuildSetting {
        BuildSetting(text: text, origin: origin)
    }

    /// `values` read from `file`, each at its line when `lines` has one.
    static func fromFile(_ values: [String], lines: [Int], file: String) -> [BuildSetting] {
        values.enumerated().map { index, text in
            BuildSetting(text: text, origin: .file(file, line: index < lines.count ? lines[index] : nil))
        }
    }

    /// `text` for messages: control characters escaped, long text cut.
    var quoted: String { InputQuoting.quote(text) }
}
