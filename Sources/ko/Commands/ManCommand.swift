import KoCommandLine

/// `ko __man [PAGE]` (hidden): the man pages made from the command
/// declarations. `make man` writes them to man/, and a test checks the
/// files there still equal them.
enum ManCommand {
    static let spec = CommandSpec(
        name: "__man", summary: "Print a man page made from the command declarations.",
        usage: "ko __man [PAGE]",
        description: "Without PAGE, lists the file names of the pages; with it (ko-build.1), prints the page.",
        options: [], isHidden: true)

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let pages = ManPage.pages(for: KoCommands.entries.map(\.spec))
        guard let name = arguments.positionals.first else {
            for page in pages { print(page.fileName) }
            return
        }
        guard arguments.positionals.count == 1,
              let page = pages.first(where: { $0.fileName == name || $0.name == name }) else {
            throw UsageError("no generated man page '\(arguments.positionals.joined(separator: " "))'; "
                             + "'ko __man' lists them")
        }
        print(page.source, terminator: "")
    }
}
