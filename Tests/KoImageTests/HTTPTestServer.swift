import Foundation
import TestSupport

/// The scripted HTTP server of `http_test_server.py`, on a loopback port.
final class HTTPTestServer {
    let port: Int
    private let process: ProcessFixture

    init() throws {
        let directory = try ProcessFixture.temporaryDirectory("ko-http-test")
        let portFile = directory + "/port"
        process = try ProcessFixture(name: "HTTP test server", executable: "python3",
                                     arguments: [try ProcessFixture.resource("http_test_server.py"), portFile],
                                     logPath: directory + "/server.log")
        port = try process.waitForPortFile(portFile)
    }

    /// `http://127.0.0.1:PORT` + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The same server under another host name, so that a redirect there changes origin.
    func otherOriginURL(_ path: String) -> String { "http://localhost:\(port)\(path)" }

    /// The server shared by the HTTP tests; it stops at process exit.
    static let shared: Result<HTTPTestServer, Error> = Result { try HTTPTestServer() }
}
