import Foundation
import KoBuild
import KoCommandLine
import KoImage

/// `ko build` (alias `ko publish`): build Go commands into images and push them.
enum BuildCommand {
    static let spec = CommandSpec(
        name: "build", aliases: ["publish"],
        summary: "Build Go programs into images and push them.",
        usage: "ko build [flags] [IMPORTPATH...]",
        description: """
            Each IMPORTPATH (./cmd/app, ., a full import path or ko://<import path>) must be a \
            'package main'. The image goes to $KO_DOCKER_REPO; its reference is printed on stdout, \
            one line per import path, in order.
            """,
        options: publishOptions,
        examples: [
            ("ko build ./cmd/app", "Build ./cmd/app and push it to $KO_DOCKER_REPO"),
            ("ko build --push=false --oci-layout-path out ./cmd/app", "Write an OCI layout without pushing"),
        ],
        arguments: .directories)

    /// The flags of every command that builds and publishes (build, resolve, apply, create, run).
    static let publishOptions: [OptionSpec] = [
            OptionSpec("tags", short: "t", kind: .list(placeholder: "TAG"), default: "latest",
                       help: "Tags to push the image under; repeat or separate with commas."),
            OptionSpec("bare", help: "Name the image $KO_DOCKER_REPO itself, without the import path."),
            OptionSpec("base-import-paths", short: "B",
                       help: "Name the image after the last element of the import path only."),
            OptionSpec("preserve-import-paths", short: "P",
                       help: "Name the image after the whole import path."),
            OptionSpec("push", default: "true", help: "Push the image; --push=false only builds it."),
            OptionSpec("oci-layout-path", kind: .value(placeholder: "DIR"),
                       help: "Also write the image to an OCI layout in DIR."),
            OptionSpec("image-refs", kind: .value(placeholder: "FILE"),
                       help: "Also write the printed image references to FILE."),
            OptionSpec("insecure-registry",
                       help: "Use plain HTTP and skip TLS verification for every registry."),
            OptionSpec("platform", kind: .list(placeholder: "PLATFORM"),
                       completion: .words(["all", "host", "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386",
                                           "linux/ppc64le", "linux/s390x", "linux/riscv64"]),
                       help: "Platform to build, os/arch[/variant] (default $GOOS/$GOARCH, else linux/amd64)."),
            OptionSpec("jobs", short: "j", kind: .value(placeholder: "N"),
                       help: "How many builds run at once (default: the number of CPUs plus two, so that "
                           + "builds waiting on the linker's single-threaded phases, the disk or the network "
                           + "leave no CPU idle)."),
            OptionSpec("sbom", kind: .value(placeholder: "FORMAT"), default: "spdx",
                       help: "SBOM to attach to each image: spdx, or none."),
            OptionSpec("sbom-dir", kind: .value(placeholder: "DIR"),
                       help: "Also write each SBOM to DIR."),
            OptionSpec("tag-only", help: "Print <repo>:<tag> references, without the digest."),
            OptionSpec("local", short: "L",
                       help: "Load the image into the local Docker engine (same as KO_DOCKER_REPO=ko.local)."),
            OptionSpec("tarball", kind: .value(placeholder: "FILE"),
                       help: "Also write the images to FILE: docker-save format, or an OCI archive for an index."),
            OptionSpec("ldflags", kind: .repeated(placeholder: "FLAGS"),
                       help: "Linker flags, replacing those of .ko.yaml; templates allowed."),
            OptionSpec("disable-optimizations",
                       help: "Build for debuggers: no optimizations, no inlining."),
            OptionSpec("image-label", kind: .list(placeholder: "KEY=VALUE"),
                       help: "Label to set in the image's config."),
            OptionSpec("image-annotation", kind: .list(placeholder: "KEY=VALUE"),
                       help: "Annotation to set in the image's manifest."),
            OptionSpec("image-user", kind: .value(placeholder: "USER"),
                       help: "User the image runs as."),
            OptionSpec("image-env", kind: .repeated(placeholder: "KEY=VALUE"),
                       help: "Environment variable to set in the image."),
            OptionSpec("image-arg", kind: .repeated(placeholder: "ARG"),
                       help: "Argument passed to the program (the image's Cmd); repeat for more."),
            OptionSpec("image-workdir", kind: .value(placeholder: "DIR"), completion: ValueCompletion.none,
                       help: "Working directory of the image."),
    ]

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let options = try buildOptions(arguments, context)
        let targets = arguments.positionals.isEmpty ? ["."] : arguments.positionals
        let session = try BuildSession(options: options,
                                       credentials: try KoCredentialSource(environment: context.environment,
                                                                           logger: context.logger),
                                       userAgent: KoVersion.userAgent,
                                       logger: context.logger, progress: context.progress)
        let results = try session.buildAll(targets)
        for result in results { print(result.reference) }
        fflush(stdout)
        if let path = arguments.value("image-refs") {
            let text = results.flatMap { [$0.reference] + $0.children }.map { $0 + "\n" }.joined()
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw CommandError.cannotWrite(path)
            }
        }
    }

    static func buildOptions(_ arguments: ParsedArguments, _ context: CommandContext) throws -> BuildOptions {
        var options = BuildOptions(workingDirectory: context.workingDirectory, environment: context.environment)
        let namingFlags = ["bare", "base-import-paths", "preserve-import-paths"].filter { arguments.flag($0) }
        guard namingFlags.count <= 1 else {
            throw UsageError("flags --\(namingFlags.joined(separator: " and --")) cannot be combined")
        }
        if arguments.flag("bare") { options.naming = .bare }
        if arguments.flag("base-import-paths") { options.naming = .baseImportPath }
        if arguments.flag("preserve-import-paths") { options.naming = .preserveImportPath }
        options.tags = arguments.list("tags")
        guard !options.tags.isEmpty, options.tags.allSatisfy(ImageReference.isValidTag) else {
            throw UsageError("invalid tag in --tags '\(options.tags.joined(separator: ","))'")
        }
        options.push = arguments.flag("push")
        options.ociLayoutPath = arguments.value("oci-layout-path")
        options.insecureRegistry = arguments.flag("insecure-registry")
        options.platformFlags = arguments.list("platform")
        do {
            _ = try PlatformSelection.platforms(flags: options.platformFlags, environment: context.environment)
        } catch let error as BuildError {
            throw UsageError("\(error)")
        }
        if let jobs = arguments.value("jobs") {
            guard let count = Int(jobs), count > 0 else {
                throw UsageError("--jobs takes a positive number, not '\(jobs)'")
            }
            options.jobs = count
        } else {
            options.jobs = ProcessInfo.processInfo.activeProcessorCount + 2
        }
        options.tagOnly = arguments.flag("tag-only")
        if options.tagOnly, options.tags.count != 1 {
            throw UsageError("--tag-only needs exactly one tag, got \(options.tags.count): pass one with -t")
        }
        options.tarballPath = arguments.value("tarball")
        options.local = arguments.flag("local")
        if arguments.isSet("ldflags") { options.ldflags = arguments.list("ldflags") }
        options.disableOptimizations = arguments.flag("disable-optimizations")
        options.image = try imageSettings(arguments)
        switch arguments.value("sbom") ?? "spdx" {
        case "spdx": options.sbom = true
        case "none": options.sbom = false
        case let other: throw UsageError("--sbom=\(other) is not supported: use spdx or none")
        }
        options.sbomDirectory = arguments.value("sbom-dir")
        options.koVersion = KoVersion.number
        return options
    }
}

extension BuildCommand {
    /// The image settings given as flags.
    static func imageSettings(_ arguments: ParsedArguments) throws -> ImageSettings {
        var settings = ImageSettings()
        settings.labels = try keyValues(arguments.list("image-label"), flag: "image-label")
        settings.annotations = try keyValues(arguments.list("image-annotation"), flag: "image-annotation")
        settings.user = arguments.value("image-user")
        settings.env = arguments.list("image-env")
        _ = try keyValues(settings.env, flag: "image-env")
        if arguments.isSet("image-arg") { settings.args = arguments.list("image-arg") }
        settings.workingDir = arguments.value("image-workdir")
        return settings
    }

    static func keyValues(_ entries: [String], flag: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw UsageError("--\(flag) takes KEY=VALUE, not '\(entry)'")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}

/// Failures of the command line tool itself, outside the libraries.
enum CommandError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case missingTool(String, String)
    case toolFailed(String, Int32)

    var description: String {
        switch self {
        case let .cannotWrite(path): return "cannot write \(path): check the directory exists and is writable"
        case let .missingTool(tool, fix): return "\(tool) was not found on PATH: \(fix)"
        case let .toolFailed(tool, status): return "\(tool) exited with status \(status)"
        }
    }
}
