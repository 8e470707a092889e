import Foundation
import KoCommandLine
import KoCreds
import KoImage
import KoLog

/// `ko login`: check credentials against the registry, then keep them where
/// the Docker CLI would (credHelpers, credsStore, or config.json auths).
///
/// Flags, messages and their order follow `docker login` (28.x): the same
/// `-u`, `-p` and `--password-stdin` rules, the stored credentials tried
/// first when neither username nor password is given, a prompt only on a
/// terminal, and `Login Succeeded` on stdout.
enum LoginCommand {
    static let spec = CommandSpec(
        name: "login", summary: "Log in to a registry.",
        usage: "ko login [flags] [SERVER]",
        description: """
            The credentials are first checked against the registry, so a wrong password stores nothing. \
            They are then kept where the Docker CLI would keep them: the registry's credHelpers entry, \
            else credsStore (\"ko\" is the keyring), else config.json auths. SERVER defaults to Docker Hub. \
            Without --username and a password, the stored credentials are checked again, and on a \
            terminal ko asks for what is missing.
            """,
        options: [
            OptionSpec("username", short: "u", kind: .value(placeholder: "USER"), help: "Username."),
            OptionSpec("password", short: "p", kind: .value(placeholder: "PASSWORD"),
                       help: "Password (insecure: it shows in the process list; prefer --password-stdin)."),
            OptionSpec("password-stdin", help: "Read the password from stdin (one trailing newline is dropped)."),
            OptionSpec("insecure-registry", help: "Use plain HTTP and skip TLS verification for this registry."),
        ],
        examples: [
            ("printf '%s' \"$TOKEN\" | ko login ghcr.io -u me --password-stdin", "Log in from a pipeline"),
        ])

    /// What the command line gave, after docker's checks.
    struct Options {
        var server: String
        var username: String
        var password: String
    }

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        var options = try parse(arguments)
        let client = RegistryClient(insecure: arguments.flag("insecure-registry"),
                                    userAgent: KoVersion.userAgent, logger: context.logger)
        let storage = try LoginStorage(environment: context.environment)

        // docker login: with neither username nor password, re-check what is stored.
        var storedUsername: String?
        if options.username.isEmpty && options.password.isEmpty,
           let stored = storedCredential(options.server, context) {
            storedUsername = stored.username
            if try loginWithStoredCredential(stored, options.server, client, storage, context) { return }
        }

        try ask(&options, defaultUsername: storedUsername)
        let credential = Credential(username: options.username, secret: options.password)
        try verify(credential, options.server, client)
        try store(credential, options.server, storage)
    }

    /// Applies docker's rules for `-u`, `-p`, `--password-stdin` and SERVER.
    static func parse(_ arguments: ParsedArguments) throws -> Options {
        guard arguments.positionals.count <= 1 else {
            throw UsageError("'ko login' requires at most 1 argument")
        }
        // As in docker, an empty value is no value.
        var password = arguments.value("password") ?? ""
        let username = arguments.value("username") ?? ""
        let fromStdin = arguments.flag("password-stdin")
        if !password.isEmpty {
            if fromStdin {
                throw UsageError("conflicting options: cannot specify both --password and --password-stdin")
            }
            Logger.standardError(.info, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
        }
        if fromStdin {
            guard !username.isEmpty else {
                throw UsageError("the --password-stdin option requires --username to be set")
            }
            password = trimmingOneLineEnd(String(decoding: FileHandle.standardInput.readDataToEndOfFile(),
                                                 as: UTF8.self))
        }
        let given = arguments.positionals.first ?? ""
        let server = given.isEmpty || given == "docker.io" ? ServerAddress.dockerHubServer : given
        return Options(server: server, username: username, password: password)
    }

    /// The text without one trailing `\n`, then one trailing `\r`, as docker
    /// trims a password piped to --password-stdin.
    static func trimmingOneLineEnd(_ text: String) -> String {
        var bytes = Array(text.utf8)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Stored credentials

    /// A stored username and password for `server`; nil when there is none
    /// or it cannot be read (docker then asks, as here).
    static func storedCredential(_ server: String, _ context: CommandContext) -> Credential? {
        do {
            let resolver = try DockerCredentialResolver(environment: context.environment)
            guard let credential = try resolver.credential(forRegistry: server),
                  credential.kind == .password, !credential.username.isEmpty, !credential.secret.isEmpty
            else { return nil }
            return credential
        } catch {
            context.logger.debug("no stored credentials for \(server): \(error)")
            return nil
        }
    }

    /// Checks and stores the stored credential again; false when the
    /// registry refused it, so the caller asks for a new one.
    static func loginWithStoredCredential(_ credential: Credential, _ server: String, _ client: RegistryClient,
                                          _ storage: LoginStorage, _ context: CommandContext) throws -> Bool {
        Logger.standardError(.info, "Authenticating with existing credentials... [Username: \(credential.username)]")
        Logger.standardError(.info, "To log in with a different account, run 'ko logout' followed by 'ko login'")
        do {
            try verify(credential, server, client)
        } catch RegistryError.loginRefused {
            Logger.standardError(.info, "Stored credentials invalid or expired")
            return false
        } catch {
            Logger.standardError(.info, "Login did not succeed, error: \(error)")
            return false
        }
        try store(credential, server, storage)
        return true
    }

    // MARK: Steps

    /// Fills in a missing username or password from the terminal.
    static func ask(_ options: inout Options, defaultUsername: String?) throws {
        guard options.username.isEmpty || options.password.isEmpty else { return }
        guard TerminalPrompt.isInteractive else { throw LoginError.notInteractive }
        if options.username.isEmpty {
            let prompt = defaultUsername.map { "Username (\($0)): " } ?? "Username: "
            let typed = (TerminalPrompt.readLine(prompt) ?? "").trimmingCharacters(in: .whitespaces)
            options.username = typed.isEmpty ? defaultUsername ?? "" : typed
            guard !options.username.isEmpty else { throw LoginError.usernameRequired }
        }
        if options.password.isEmpty {
            options.password = TerminalPrompt.readLine("Password: ", echo: false) ?? ""
            guard !options.password.isEmpty else { throw LoginError.passwordRequired }
        }
    }

    /// Asks the registry whether it accepts `credential`; throws when not.
    static func verify(_ credential: Credential, _ server: String, _ client: RegistryClient) throws {
        let host = ServerAddress(server).host
        try client.checkLogin(registry: host, credential: .basic(username: credential.username,
                                                                 password: credential.secret))
    }

    /// Keeps the verified credential and says so as docker does.
    static func store(_ credential: Credential, _ server: String, _ storage: LoginStorage) throws {
        let outcome = try storage.store(credential, forRegistry: server)
        if let warning = outcome.warning {
            // docker sets its warning apart with a blank line on each side.
            Logger.standardError(.info, "\n" + warning + "\n\n")
        }
        print("Login Succeeded")
    }
}
