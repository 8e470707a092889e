import Foundation
import TestSupport

/// The scripted HTTP server of `http_test_server.py`, on a loopback port.
final class HTTPTestServer {
    let port: Int
    /// The self-signed certificate (for 127.0.0.1) of a TLS server.
    let certificatePath: String?
    private let process: ProcessFixture

    /// Starts the server; with `tls`, over HTTPS with a fresh self-signed certificate.
    init(tls: Bool = false) throws {
        let directory = try ProcessFixture.temporaryDirectory("ko-http-test")
        let portFile = directory + "/port"
        var arguments = [try ProcessFixture.resource("http_test_server.py"), portFile]
        if tls {
            let certificate = directory + "/cert.pem"
            let key = directory + "/key.pem"
            try ProcessRunner.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                                "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1",
                                                "-addext", "subjectAltName=IP:127.0.0.1"])
            arguments += [certificate, key]
            certificatePath = certificate
        } else {
            certificatePath = nil
        }
        process = try ProcessFixture(name: "HTTP test server", executable: "python3", arguments: arguments,
                                     logPath: directory + "/server.log")
        port = try process.waitForPortFile(portFile)
    }

    /// `http://127.0.0.1:PORT` + path (`https://` for a TLS server).
    func url(_ path: String) -> String { "\(certificatePath == nil ? "http" : "https")://127.0.0.1:\(port)\(path)" }

    /// The same server under another host name, so that a redirect there changes origin.
    func otherOriginURL(_ path: String) -> String { "http://localhost:\(port)\(path)" }

    /// The server shared by the HTTP tests; it stops at process exit.
    static let shared: Result<HTTPTestServer, Error> = Result { try HTTPTestServer() }

    /// An HTTPS server shared by the TLS tests.
    static let sharedTLS: Result<HTTPTestServer, Error> = Result { try HTTPTestServer(tls: true) }
}
