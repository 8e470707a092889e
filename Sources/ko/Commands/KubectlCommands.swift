import Foundation
import KoBuild
import KoCommandLine
import KoProcess

/// `ko apply`, `ko create`, `ko delete` and `ko run`: ko's hand-offs to kubectl.
enum KubectlCommands {
    static let apply = CommandSpec(
        name: "apply", summary: "Resolve YAML and pipe it to 'kubectl apply -f -'.",
        usage: "ko apply -f FILE [flags] [-- KUBECTL FLAGS]",
        description: "Arguments after -- go to kubectl untouched.",
        options: ResolveCommand.fileOptions + BuildCommand.publishOptions,
        examples: [("ko apply -f config/ -- --context=staging", "Deploy to another context")])

    static let create = CommandSpec(
        name: "create", summary: "Resolve YAML and pipe it to 'kubectl create -f -'.",
        usage: "ko create -f FILE [flags] [-- KUBECTL FLAGS]",
        description: "Arguments after -- go to kubectl untouched.",
        options: ResolveCommand.fileOptions + BuildCommand.publishOptions)

    static let delete = CommandSpec(
        name: "delete", summary: "Run 'kubectl delete' with the given arguments.",
        usage: "ko delete [-- ] KUBECTL ARGUMENTS",
        description: "Everything is passed to kubectl delete untouched.",
        options: [])

    static let runSpec = CommandSpec(
        name: "run", summary: "Build an image and run it in the cluster with 'kubectl run'.",
        usage: "ko run IMPORTPATH [flags] [-- ARGS]",
        description: "The pod is named after the command; arguments after -- go to the program.",
        options: BuildCommand.publishOptions)

    static func runApply(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        try pipe(ResolveCommand.resolve(arguments, context), to: ["apply", "-f", "-"] + arguments.passthrough,
                 context)
    }

    static func runCreate(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        try pipe(ResolveCommand.resolve(arguments, context), to: ["create", "-f", "-"] + arguments.passthrough,
                 context)
    }

    static func runDelete(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        try pipe(nil, to: ["delete"] + arguments.positionals + arguments.passthrough, context)
    }

    static func runRun(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count == 1, let target = arguments.positionals.first else {
            throw UsageError("'ko run' takes exactly one import path")
        }
        let options = try BuildCommand.buildOptions(arguments, context)
        let session = try BuildSession(options: options,
                                       credentials: try KoCredentialSource(environment: context.environment,
                                                                           logger: context.logger),
                                       userAgent: KoVersion.userAgent, logger: context.logger,
                                       progress: context.progress)
        guard let result = try session.buildAll([target]).first else { return }
        let name = result.importPath.split(separator: "/").last.map(String.init) ?? "ko-run"
        var kubectl = ["run", name, "--image=\(result.reference)", "--restart=Never", "--rm", "-i"]
        if !arguments.passthrough.isEmpty { kubectl += ["--"] + arguments.passthrough }
        try pipe(nil, to: kubectl, context)
    }

    /// Runs kubectl with `arguments`, stdin fed from `input`, its output shown as it comes.
    static func pipe(_ input: [UInt8]?, to arguments: [String], _ context: CommandContext) throws {
        guard let kubectl = ChildProcess.resolve("kubectl", searchPath: context.environment["PATH"]) else {
            throw CommandError.missingTool("kubectl",
                                           "install kubectl, or use 'ko resolve' and apply the YAML yourself")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = arguments
        process.environment = context.environment
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.standardInput : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError.toolFailed("kubectl \(arguments.first ?? "")", process.terminationStatus)
        }
    }
}
