import KoJSON

/// The helper side of the docker-credential-helpers protocol, over any
/// `CredentialStore`: what `docker-credential-ko` runs for each invocation.
///
/// `get` answers from the store, then from the cloud token exchanges, so the
/// Docker CLI and other tools get ECR/GCR/ACR tokens without a login.
public struct CredentialHelperServer {
    /// What to print on stdout and the exit status.
    public struct Response: Equatable {
        public var output: String
        public var status: Int32
    }

    public let store: CredentialStore
    public let exchanges: [CredentialExchange]
    public let programName: String
    public let version: String

    public init(store: CredentialStore, exchanges: [CredentialExchange] = [],
                programName: String = "docker-credential-ko", version: String) {
        self.store = store
        self.exchanges = exchanges
        self.programName = programName
        self.version = version
    }

    /// Runs the action named by `arguments` (the program's arguments without
    /// its name). `readInput` is called only for actions that take stdin, so
    /// `list` and `version` never wait on a terminal.
    public func respond(to arguments: [String], readInput: () throws -> [UInt8]) -> Response {
        guard let action = arguments.first else {
            return Response(output: usage, status: 1)
        }
        do {
            switch action {
            case "store": return try storeAction(try readInput())
            case "get": return try getAction(try readInput())
            case "erase": return try eraseAction(try readInput())
            case "list": return Response(output: CredentialHelperProtocol.listJSON(try store.list()), status: 0)
            case "version", "--version", "-v":
                return Response(output: "\(programName) (ko) \(version)", status: 0)
            case "--help", "-h", "help":
                return Response(output: usage, status: 0)
            default:
                return Response(output: "Unknown credential action `\(action)`", status: 1)
            }
        } catch {
            return failure("\(error)")
        }
    }

    /// The usage text.
    public var usage: String {
        """
        Usage: \(programName) <store|get|erase|list|version>

        A Docker credential helper keeping credentials in the desktop keyring (Secret Service),
        compatible with docker-credential-secretservice, and minting cloud registry tokens.
        Set "credsStore": "ko" (or a "credHelpers" entry) in ~/.docker/config.json to use it.

          store    read {"ServerURL","Username","Secret"} on stdin and keep it
          get      read a server URL on stdin, print its credentials as JSON
          erase    read a server URL on stdin, remove its credentials
          list     print {"<server>":"<username>"} for every stored server
          version  print the version
        """
    }

    // MARK: - Actions

    private func storeAction(_ input: [UInt8]) throws -> Response {
        let request: (server: String, username: String, secret: String)
        do {
            request = try CredentialHelperProtocol.parseCredentials(input)
        } catch let error as JSONSyntaxError {
            // Only the position: the reason could quote a character of the secret.
            return failure("invalid credentials JSON on stdin at line \(error.line), column \(error.column)")
        }
        let server = request.server.trimmingWhitespace()
        guard !server.isEmpty else { return failure(CredentialHelperProtocol.missingServerURLMessage) }
        guard !request.username.isEmpty else { return failure(CredentialHelperProtocol.missingUsernameMessage) }
        try store.store(Credential(username: request.username, secret: request.secret), forServer: server)
        return Response(output: "", status: 0)
    }

    private func getAction(_ input: [UInt8]) throws -> Response {
        let server = String(decoding: input, as: UTF8.self).trimmingWhitespace()
        guard !server.isEmpty else { return failure(CredentialHelperProtocol.missingServerURLMessage) }
        // A NUL would cut the C string libsecret searches for: `x\0y` must not find `x`.
        guard !server.utf8.contains(0) else { return failure("server URL must not contain a NUL character") }
        guard let credential = try lookUp(server) else {
            return failure(CredentialHelperProtocol.notFoundMessage)
        }
        return Response(output: CredentialHelperProtocol.credentialsJSON(server: server, credential: credential),
                        status: 0)
    }

    private func eraseAction(_ input: [UInt8]) throws -> Response {
        let server = String(decoding: input, as: UTF8.self).trimmingWhitespace()
        guard !server.isEmpty else { return failure(CredentialHelperProtocol.missingServerURLMessage) }
        // A NUL would cut the C string libsecret searches for: `x\0y` must not find `x`.
        guard !server.utf8.contains(0) else { return failure("server URL must not contain a NUL character") }
        try store.erase(server: server)
        return Response(output: "", status: 0)
    }

    /// The stored credential, else one minted by an exchange. When the store
    /// is unreachable an exchange may still answer; if none does, the store's
    /// error stands.
    private func lookUp(_ server: String) throws -> Credential? {
        var storeError: Error?
        do {
            if let credential = try store.credential(forServer: server) { return credential }
        } catch {
            storeError = error
        }
        let address = ServerAddress(server)
        if !address.isDockerHub {
            for exchange in exchanges {
                if let credential = try exchange.credential(forRegistry: address.host) { return credential }
            }
        }
        if let storeError { throw storeError }
        return nil
    }

    private func failure(_ message: String) -> Response {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return Response(output: line, status: 1)
    }
}
