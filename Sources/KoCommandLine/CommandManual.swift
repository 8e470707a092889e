/// What a command's manual page says beyond its declaration: more
/// DESCRIPTION paragraphs, the environment and files it reads, and where to
/// look next. `--help` shows the environment too, from this same text.
public struct CommandManual: Sendable {
    /// The page this command is documented on when it is not `ko-<name>`
    /// (`ko logout` shares `ko-login(1)`).
    public var page: String?
    /// The NAME line of a page that documents several commands.
    public var pageSummary: String?
    /// Paragraphs that follow the declaration's description.
    public var details: [String]
    public var environment: [(name: String, meaning: String)]
    public var files: [(path: String, meaning: String)]
    /// Other pages, as `ko-login(1)`.
    public var seeAlso: [String]

    public init(page: String? = nil, pageSummary: String? = nil, details: [String] = [],
                environment: [(name: String, meaning: String)] = [],
                files: [(path: String, meaning: String)] = [], seeAlso: [String] = []) {
        self.page = page
        self.pageSummary = pageSummary
        self.details = details
        self.environment = environment
        self.files = files
        self.seeAlso = seeAlso
    }
}
