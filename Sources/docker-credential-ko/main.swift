// docker-credential-ko: the Docker credential helper over the desktop keyring.
//
// The Docker CLI runs this for every registry operation, so it loads as
// little as it can: KoKeyring with KoJSON and KoProcess (no Foundation, curl
// or libcrypto), one store, one answer. Cloud registry tokens come from docker-credential-ko-cloud,
// started only for a cloud host the keyring has nothing for.
#if canImport(Glibc)
import Glibc
#endif
import KoCommandLine
import KoKeyring

/// KO_KEYRING_TIMEOUT bounds each keyring call (seconds, default 60).
func keyringTimeout() -> Double {
    guard let text = getenv("KO_KEYRING_TIMEOUT").map({ String(cString: $0) }),
          let seconds = Double(text), seconds > 0 else { return 60 }
    return seconds
}

let server = CredentialHelperServer(store: KeyringStore(timeout: keyringTimeout()), exchanges: [CloudHandOff()],
                                    version: KoVersion.description)
let response = server.respond(to: Array(CommandLine.arguments.dropFirst()),
                              readInput: { try StandardStreams.readInput() })
StandardStreams.writeOutput(response.output)
exit(response.status)
