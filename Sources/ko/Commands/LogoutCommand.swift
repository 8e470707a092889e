import KoCommandLine
import KoCreds
import KoLog

/// `ko logout`: erase a registry's credentials from where they were kept.
///
/// As `docker logout` (28.x) does: `Removing login credentials for HOST` on
/// stdout whether or not anything was stored, every spelling of the server
/// erased, and a failure to erase reported as a warning.
enum LogoutCommand {
    static let spec = CommandSpec(
        name: "logout", summary: "Log out of a registry.",
        usage: "ko logout [SERVER]",
        description: "Erases the credentials from the same place 'ko login' keeps them, under every spelling "
            + "of the server (host, http:// and https:// forms). SERVER defaults to Docker Hub.",
        options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard arguments.positionals.count <= 1 else {
            throw UsageError("'ko logout' requires at most 1 argument")
        }
        let given = arguments.positionals.first ?? ""
        let server = given.isEmpty ? ServerAddress.dockerHubServer : given
        let storage = try LoginStorage(environment: context.environment)

        print("Removing login credentials for \(ServerAddress(server).registryKey)")
        do {
            let outcome = try storage.erase(registry: server)
            if !outcome.removed { context.logger.debug("nothing was stored for \(outcome.server)") }
        } catch let error as ConfigFileError {
            // A config.json that cannot be read or written is the user's to fix.
            throw error
        } catch {
            // docker warns and succeeds when the store cannot erase.
            Logger.standardError(.info, "WARNING: could not erase credentials:\n\(server): \(error)")
        }
    }
}
