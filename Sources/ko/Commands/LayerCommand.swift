import Foundation
import KoCommandLine
import KoImage

/// `ko __layer FILE`: builds the binary layer `ko build` would build for
/// FILE, with the same compressor and no layer cache, and prints its digest,
/// size and diffID. Hidden: it exists so that `bench/run.sh` can time layer
/// building alone against `tar | gzip -1 | sha256sum`.
enum LayerCommand {
    static let spec = CommandSpec(
        name: "__layer", summary: "Build the binary layer for a file and print its digest (for benchmarks).",
        usage: "ko __layer [--dir DIR] [--zlib] FILE",
        description: """
            Writes the layer ko build makes for a Go binary (the file at /ko-app/<name>) and prints \
            '<digest> <compressed size> <diffID>'. The layer cache is not used. Without --dir the \
            layer goes to a temporary directory that is removed afterwards.
            """,
        options: [
            OptionSpec("dir", kind: .value(placeholder: "DIR"), help: "Keep the layer file in DIR."),
            OptionSpec("zlib", help: "Use single-threaded zlib gzip level 1 instead of ko build's compressor."),
        ],
        isHidden: true)

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
            throw UsageError("'ko __layer' takes one file, got \(arguments.positionals.count)")
        }
        let compression: LayerCompression = arguments.flag("zlib") ? .default : .parallelDefault
        let name = (file as NSString).lastPathComponent
        if let directory = arguments.value("dir") {
            try report(BinaryLayer.build(binary: file, name: name, in: directory, compression: compression))
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try report(BinaryLayer.build(binary: file, name: name, in: directory, compression: compression))
    }

    private static func report(_ layer: Layer) {
        print("\(layer.digest) \(layer.descriptor.size) \(layer.diffID)")
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/ko-layer.XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw UsageError("cannot create a temporary directory in \(NSTemporaryDirectory())")
        }
        return String(cString: created)
    }
}
