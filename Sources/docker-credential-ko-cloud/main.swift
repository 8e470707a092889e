// docker-credential-ko-cloud: a Docker credential helper that mints registry
// tokens from the environment's cloud identity (Amazon ECR, Google Artifact
// Registry and Container Registry, Azure Container Registry, GitHub
// Container Registry) and keeps nothing.
//
// docker-credential-ko hands it the cloud hosts its keyring has no entry for,
// so that the keyring path never loads Foundation, curl or libcrypto. It can
// also be named in `credHelpers` on its own ("ko-cloud").
#if canImport(Glibc)
import Glibc
#endif
import KoCommandLine
import KoCreds

let server = CredentialHelperServer(store: MintOnlyStore(), exchanges: CredentialHelperServer.cloudExchanges(
    version: KoVersion.number), programName: "docker-credential-ko-cloud", version: KoVersion.description)
let response = server.respond(to: Array(CommandLine.arguments.dropFirst()),
                              readInput: { try StandardStreams.readInput() })
StandardStreams.writeOutput(response.output)
exit(response.status)
