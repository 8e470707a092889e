import Foundation
import KoCommandLine
import KoCreds
import KoImage
import KoLog

/// `ko login`: check credentials against the registry, then keep them where
/// the Docker CLI would (credHelpers, credsStore, or config.json auths).
enum LoginCommand {
    static let spec = CommandSpec(
        name: "login", summary: "Log in to a registry.",
        usage: "ko login [flags] [SERVER]",
        description: """
            The credentials are first checked against the registry, so a wrong password stores nothing. \
            They are then kept where the Docker CLI would keep them: the registry's credHelpers entry, \
            else credsStore (\"ko\" is the keyring), else config.json auths. SERVER defaults to Docker Hub.
            """,
        options: [
            OptionSpec("username", short: "u", kind: .value(placeholder: "USER"), help: "Username."),
            OptionSpec("password", short: "p", kind: .value(placeholder: "PASSWORD"),
                       help: "Password (insecure: it shows in the process list; prefer --password-stdin)."),
            OptionSpec("password-stdin", help: "Read the password from stdin."),
            OptionSpec("insecure-registry", help: "Use plain HTTP and skip TLS verification for this registry."),
        ],
        examples: [
            ("printf '%s' \"$TOKEN\" | ko login ghcr.io -u me --password-stdin", "Log in from a pipeline"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count <= 1 else {
            throw UsageError("'ko login' takes at most one server, got \(arguments.positionals.count)")
        }
        let server = arguments.positionals.first ?? ServerAddress.dockerHubServer
        let (username, password) = try credentials(arguments)

        let host = ServerAddress(server).host
        let client = RegistryClient(insecure: arguments.flag("insecure-registry"),
                                    userAgent: KoVersion.userAgent, logger: context.logger)
        try client.checkLogin(registry: host, credential: .basic(username: username, password: password))

        let storage = try LoginStorage(environment: context.environment)
        let outcome = try storage.store(Credential(username: username, secret: password), forRegistry: server)
        if let warning = outcome.warning { Logger.standardError(.info, warning) }
        print("Login Succeeded")
    }

    /// The username and password by docker's rules for -u, -p and --password-stdin.
    static func credentials(_ arguments: ParsedArguments) throws -> (String, String) {
        let fromStdin = arguments.flag("password-stdin")
        var password = arguments.value("password")
        if password != nil, fromStdin {
            throw UsageError("--password and --password-stdin are mutually exclusive")
        }
        guard let username = arguments.value("username"), !username.isEmpty else {
            throw UsageError(fromStdin ? "Must provide --username with --password-stdin"
                                       : "Must provide --username (ko login has no interactive prompt)")
        }
        if password != nil {
            Logger.standardError(.info, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
        }
        if fromStdin {
            var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            password = text
        }
        guard let password, !password.isEmpty else {
            throw UsageError("no password given: pipe it to --password-stdin")
        }
        return (username, password)
    }
}

/// `ko logout`: erase a registry's credentials from where they were kept.
enum LogoutCommand {
    static let spec = CommandSpec(
        name: "logout", summary: "Log out of a registry.",
        usage: "ko logout [SERVER]",
        description: "Erases the credentials from the same place 'ko login' keeps them. "
            + "SERVER defaults to Docker Hub.",
        options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count <= 1 else {
            throw UsageError("'ko logout' takes at most one server, got \(arguments.positionals.count)")
        }
        let server = arguments.positionals.first ?? ServerAddress.dockerHubServer
        let outcome = try LoginStorage(environment: context.environment).erase(registry: server)
        if outcome.removed {
            print("Removing login credentials for \(outcome.server)")
        } else {
            print("Not logged in to \(outcome.server)")
        }
    }
}
