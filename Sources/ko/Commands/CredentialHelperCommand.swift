import Foundation
import KoCommandLine
import KoCreds

/// `ko __credential-helper -- ACTION`: the full docker-credential-helper
/// protocol over the keyring and the cloud token exchanges. Hidden:
/// `docker-credential-ko` answers the common `get` itself and becomes this
/// command for everything else (see Sources/docker-credential-ko/main.swift).
enum CredentialHelperCommand {
    static let spec = CommandSpec(
        name: "__credential-helper", summary: "The full docker-credential-ko helper (run by docker-credential-ko).",
        usage: "ko __credential-helper -- <store|get|erase|list|version>",
        description: "Runs one credential helper action as docker-credential-ko would, reading stdin.",
        options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let server = CredentialHelperServer(store: KeyringStore(timeout: keyringTimeout(context.environment)),
                                            exchanges: CredentialHelperServer.cloudExchanges(
                                                version: KoVersion.number, environment: context.environment),
                                            version: KoVersion.number)
        let response = server.respond(to: arguments.positionals + arguments.passthrough) {
            Array(FileHandle.standardInput.readDataToEndOfFile().prefix(1 << 20))
        }
        if !response.output.isEmpty {
            FileHandle.standardOutput.write(Data((response.output.hasSuffix("\n") ? response.output
                                                  : response.output + "\n").utf8))
        }
        exit(response.status)
    }

    /// KO_KEYRING_TIMEOUT bounds each keyring call (seconds, default 60).
    private static func keyringTimeout(_ environment: [String: String]) -> Double {
        guard let text = environment["KO_KEYRING_TIMEOUT"], let seconds = Double(text), seconds > 0 else {
            return 60
        }
        return seconds
    }
}
