/// The config changes ko's `buildOne` makes after appending its layers.
extension ImageMutation {
    /// The author ko writes into every config.
    public static let koAuthor = "github.com/ko-build/ko"

    /// Applies ko's config edits for a binary at `appPath` (`/ko-app/<name>`):
    /// entrypoint `[appPath]`, no `Cmd`, `/ko-app` appended to `PATH` (or
    /// `PATH=/ko-app` added), `KO_DATA_PATH=/var/run/ko` appended to `Env`,
    /// author `github.com/ko-build/ko`, `labels` merged into `config.Labels`,
    /// and `created` replaced when given (ko keeps the base's otherwise).
    public mutating func applyKoConventions(appPath: String, labels: [String: String] = [:],
                                            created: String? = nil) {
        config.entrypoint = [appPath]
        config.cmd = nil
        var env = config.env ?? []
        Self.appendToPath(&env, directory: BinaryLayer.appDirectory)
        env.append("KO_DATA_PATH=" + KodataLayer.root)
        config.env = env
        config.author = Self.koAuthor
        if !labels.isEmpty {
            config.labels = (config.labels ?? [:]).merging(labels) { _, new in new }
        }
        if let created { config.created = created }
    }

    /// Appends the two ko layers with the history entries ko writes:
    /// author `ko`, `created_by` `ko build <reference>` (reference as ko
    /// prints it, e.g. `ko://example.com/cmd/app`), and comments naming
    /// what each layer holds. Times are RFC 3339 text (Go's zero time when
    /// SOURCE_DATE_EPOCH / KO_DATA_DATE_EPOCH are unset).
    public mutating func appendKoLayers(kodata: Layer, binary: Layer, reference: String, appPath: String,
                                        kodataCreated: String = ImageTime.goZero,
                                        binaryCreated: String = ImageTime.goZero) throws {
        try append(kodata, history: HistoryEntry(author: "ko", created: kodataCreated,
                                                 createdBy: "ko build " + reference,
                                                 comment: "kodata contents, at $KO_DATA_PATH"))
        try append(binary, history: HistoryEntry(author: "ko", created: binaryCreated,
                                                 createdBy: "ko build " + reference,
                                                 comment: "go build output, at " + appPath))
    }

    /// Appends `directory` to the first `PATH=` entry, or adds `PATH=directory`.
    static func appendToPath(_ env: inout [String], directory: String) {
        for (position, entry) in env.enumerated() {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            if entry[..<equals] == "PATH" {
                env[position] = entry + ":" + directory
                return
            }
        }
        env.append("PATH=" + directory)
    }
}
