// docker-credential-ko: the Docker credential helper over the desktop keyring.
//
// The Docker CLI runs this for every registry operation, so it stays small:
// no Foundation, no argument parser, one store, one answer.
#if canImport(Glibc)
import Glibc
#endif
import KoCreds

let version = "0.1.0"

/// stdin, up to 1 MiB (a request is a few hundred bytes).
func readStandardInput() throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count <= 1 << 20 {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

func writeStandardOutput(_ text: String) {
    guard !text.isEmpty else { return }
    var bytes = Array(text.utf8)
    if bytes.last != 0x0A { bytes.append(0x0A) }
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        offset += written
    }
}

// After the keyring: tokens minted from the environment's cloud identity.
let exchanges = CredentialHelperServer.cloudExchanges(version: version)

/// KO_KEYRING_TIMEOUT bounds each keyring call (seconds, default 60).
func keyringTimeout() -> Double {
    guard let text = getenv("KO_KEYRING_TIMEOUT").map({ String(cString: $0) }),
          let seconds = Double(text), seconds > 0 else { return 60 }
    return seconds
}

let server = CredentialHelperServer(store: KeyringStore(timeout: keyringTimeout()), exchanges: exchanges,
                                    version: version)
let response = server.respond(to: Array(CommandLine.arguments.dropFirst()), readInput: readStandardInput)
writeStandardOutput(response.output)
exit(response.status)
