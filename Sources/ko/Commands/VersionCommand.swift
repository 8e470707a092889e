import KoCommandLine

/// `ko version`: the version and the commit it was built from.
enum VersionCommand {
    static let spec = CommandSpec(
        name: "version", summary: "Print ko's version.", usage: "ko version",
        description: "", options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        print(KoVersion.description)
    }
}
