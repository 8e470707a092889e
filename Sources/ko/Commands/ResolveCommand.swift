import Foundation
import KoBuild
import KoCommandLine

/// `ko resolve`: build every `ko://` reference in Kubernetes YAML and print
/// the YAML with each replaced by its image, everything else as written.
enum ResolveCommand {
    static let fileOptions: [OptionSpec] = [
        OptionSpec("filename", short: "f", kind: .repeated(placeholder: "FILE"),
                   help: "YAML file, directory of YAML files, or - for stdin; repeat for more."),
        OptionSpec("recursive", short: "R", help: "Read directories given with -f recursively."),
        OptionSpec("selector", short: "l", kind: .value(placeholder: "SELECTOR"),
                   help: "Keep only documents whose labels match, e.g. app=web,tier!=db."),
    ]

    static let spec = CommandSpec(
        name: "resolve", summary: "Build the ko:// references in YAML and print the resolved YAML.",
        usage: "ko resolve -f FILE [flags]",
        description: """
            Each distinct import path is built once, several at a time up to --jobs. Only the ko:// \
            strings change: comments, quoting, key order and blank lines come out as written.
            """,
        options: fileOptions + BuildCommand.publishOptions,
        examples: [("ko resolve -f config/ > release.yaml", "Resolve a directory of manifests")])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let yaml = try resolve(arguments, context)
        FileHandle.standardOutput.write(Data(yaml))
    }

    /// The resolved YAML of every file named with -f, in order.
    static func resolve(_ arguments: ParsedArguments, _ context: CommandContext) throws -> [UInt8] {
        let names = arguments.list("filename")
        guard !names.isEmpty else {
            throw UsageError("'ko \(arguments.commandName)' needs -f FILE (or -f - for stdin)")
        }
        if !arguments.positionals.isEmpty {
            throw UsageError("'ko \(arguments.commandName)' takes files with -f, not arguments: "
                + arguments.positionals.joined(separator: " "))
        }
        let selector = try arguments.value("selector").map { try LabelSelector(parsing: $0) }
        var documents = try ManifestFiles.enumerate(names, recursive: arguments.flag("recursive"))
            .map { try ManifestFiles.load($0) }
        if let selector { documents = try documents.map { try $0.selecting(selector) } }

        var importPaths: [String] = []
        for document in documents {
            for path in document.importPaths where !importPaths.contains(path) { importPaths.append(path) }
        }
        var images: [String: String] = [:]
        if !importPaths.isEmpty {
            let options = try BuildCommand.buildOptions(arguments, context)
            let session = try BuildSession(options: options,
                                           credentials: try KoCredentialSource(environment: context.environment,
                                                                               logger: context.logger),
                                           userAgent: KoVersion.userAgent, logger: context.logger,
                                           progress: context.progress)
            let results = try session.buildAll(importPaths.map { GoToolchain.importPathScheme + $0 })
            for (path, result) in zip(importPaths, results) { images[path] = result.reference }
        }

        // Files are joined as separate YAML documents; a single file comes out byte for byte.
        var output: [UInt8] = []
        for (position, document) in documents.enumerated() {
            if position > 0 {
                if output.last != UInt8(ascii: "\n") { output.append(UInt8(ascii: "\n")) }
                output += Array("---\n".utf8)
            }
            output += try document.resolved(images)
        }
        return output
    }
}
