import KoProcess

/// An external credential helper, `docker-credential-<name>` found on PATH,
/// driven over the docker-credential-helpers protocol.
///
/// Secrets travel only over the child's stdin and stdout, never in its
/// arguments or environment. Every call has a time limit, because a helper
/// waiting on an unlock prompt nobody can see would otherwise hang `ko`.
public struct CredentialHelperProgram: CredentialStore {
    /// The helper's suffix, as written in `credsStore`/`credHelpers` (`pass`, `gcloud`).
    public let name: String
    /// Seconds each call may take.
    public let timeout: Double
    private let searchPath: String
    private let environment: [String: String]?

    /// The helper called `docker-credential-<name>`, looked up on `searchPath`
    /// (the PATH environment variable by default), run with our environment.
    public init(name: String, timeout: Double = 60, searchPath: String? = nil) {
        self.name = name
        self.timeout = timeout
        self.searchPath = searchPath ?? ProcessEnvironment.value("PATH") ?? ChildProcess.defaultSearchPath
        self.environment = nil
    }

    /// The helper looked up on `environment`'s PATH and run with `environment`
    /// (which reaches the helper, as does everything in it but its input).
    public init(name: String, timeout: Double = 60, environment: [String: String]) {
        self.name = name
        self.timeout = timeout
        self.searchPath = environment["PATH"] ?? ChildProcess.defaultSearchPath
        self.environment = environment
    }

    /// The program name, `docker-credential-<name>`.
    public var programName: String { "docker-credential-" + name }

    /// The program's full path, or nil when it is not on the search path.
    public var executablePath: String? {
        ChildProcess.resolve(programName, searchPath: searchPath)
    }

    public func store(_ credential: Credential, forServer server: String) throws {
        guard credential.kind != .registryToken else {
            throw CredentialHelperError.unsupportedCredential(program: programName)
        }
        let request = CredentialHelperProtocol.credentialsJSON(server: server, credential: credential)
        _ = try call("store", input: Array(request.utf8), secret: credential.secret)
    }

    public func credential(forServer server: String) throws -> Credential? {
        let outcome = try call("get", input: Array(server.utf8), acceptNotFound: true)
        guard let output = outcome else { return nil }
        let answer: (server: String, username: String, secret: String)
        do {
            answer = try CredentialHelperProtocol.parseCredentials(output)
        } catch {
            throw CredentialHelperError.invalidAnswer(program: programName, action: "get",
                                                      reason: "not the expected JSON object")
        }
        guard !answer.secret.isEmpty || !answer.username.isEmpty else { return nil }
        return Credential(username: answer.username, secret: answer.secret)
    }

    public func erase(server: String) throws {
        _ = try call("erase", input: Array(server.utf8), acceptNotFound: true)
    }

    public func list() throws -> [String: String] {
        guard let output = try call("list", input: []) else { return [:] }
        do {
            return try CredentialHelperProtocol.parseList(output)
        } catch {
            throw CredentialHelperError.invalidAnswer(program: programName, action: "list",
                                                      reason: "\(error)")
        }
    }

    /// Runs one action; nil when the helper answered "not found" and that is
    /// acceptable for the action.
    private func call(_ action: String, input: [UInt8], acceptNotFound: Bool = false,
                      secret: String? = nil) throws -> [UInt8]? {
        guard let executable = executablePath else {
            throw CredentialHelperError.notInstalled(program: programName)
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess(executable: executable, arguments: [action], environment: environment)
                .run(input: input, timeout: timeout, outputLimit: 1 << 20)
        } catch ChildProcess.Failure.timedOut {
            throw CredentialHelperError.timedOut(program: programName, action: action, seconds: Int(timeout))
        } catch ChildProcess.Failure.spawn(let reason) {
            throw CredentialHelperError.cannotStart(program: programName, reason: reason)
        }
        guard outcome.status != 0 else { return outcome.standardOutput }

        let message = firstLine(outcome.standardOutput) ?? firstLine(outcome.standardError)
            ?? "exit status \(outcome.status)"
        if acceptNotFound && message == CredentialHelperProtocol.notFoundMessage { return nil }
        var shown = String(message.prefix(300))
        if let secret, !secret.isEmpty {
            shown = shown.replacing(secret, with: "<redacted>")
        }
        throw CredentialHelperError.failed(program: programName, action: action, message: shown)
    }

    private func firstLine(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingWhitespace() }
        guard let line, !line.isEmpty else { return nil }
        return line
    }
}
