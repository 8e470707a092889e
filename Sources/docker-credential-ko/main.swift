// docker-credential-ko: the Docker credential helper over the desktop keyring.
//
// The Docker CLI runs this for every registry operation, so the common case,
// `get` of an entry stored under exactly the server asked for, is answered
// here with nothing loaded but the Swift runtime: no Foundation, no GLib, no
// libcurl (see StoredCredentialLookup). Every other request (store, erase,
// list, a server stored under another spelling, a locked keyring, a cloud
// token) goes to the full helper, `ko __credential-helper`, which this
// program becomes with execv, so the caller sees one process either way.
#if canImport(Glibc)
import Glibc
#endif
import KoCommandLine

/// stdin, up to 1 MiB (a request is a few hundred bytes).
func readStandardInput() -> [UInt8] {
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

/// KO_KEYRING_TIMEOUT bounds each keyring call (seconds, default 60); the
/// fast path gives up sooner and leaves a slow keyring to the full helper.
func fastPathSeconds() -> Double {
    guard let text = getenv("KO_KEYRING_TIMEOUT").map({ String(cString: $0) }),
          let seconds = Double(text), seconds > 0 else { return 5 }
    return min(seconds, 5)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "version", "--version", "-v":
    writeStandardOutput("docker-credential-ko (ko) \(KoVersion.number)")
    exit(0)
case "get":
    let input = readStandardInput()
    let server = ASCIIText.trimmed(input)
    if !server.isEmpty, let found = StoredCredentialLookup.credential(forServer: server, seconds: fastPathSeconds()) {
        writeStandardOutput(#"{"ServerURL":"# + ASCIIText.jsonString(server) + #","Username":"#
            + ASCIIText.jsonString(found.username) + #","Secret":"# + ASCIIText.jsonString(found.secret) + "}")
        exit(0)
    }
    FullHelper.become(arguments: arguments, input: input)
default:
    FullHelper.become(arguments: arguments, input: nil)
}
