import Foundation

/// A real `moto_server` on a free loopback port
/// (`INITIAL_NO_AUTH_ACTION_COUNT=3`), whose three unauthenticated calls were
/// spent on IAM CreateUser, PutUserPolicy (allow *) and CreateAccessKey: from
/// then on it checks SigV4 signatures against that key.
///
/// One server serves the whole test process (`shared`); it stops when the
/// test process ends. Needs `pip install 'moto[server]'`.
public final class CloudMotoServer: @unchecked Sendable {
    public let port: Int
    public let accessKeyID: String
    public let secretAccessKey: String
    private let server: CloudServerProcess
    private let scratch: CloudScratch

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<CloudMotoServer, Error>?

    /// The process's moto server, started on first use.
    public static func shared() throws -> CloudMotoServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result = Result { try CloudMotoServer() }
        started = result
        return try result.get()
    }

    private init() throws {
        scratch = try CloudScratch()
        server = try CloudServerProcess(name: "moto_server", executable: "python3",
                                        arguments: [CloudTools.resource("cloud_moto_server.py"),
                                                    scratch.path + "/moto.log"])
        port = server.port
        let keyPath = scratch.path + "/key.json"
        let setup = try CloudTools.run("python3", [CloudTools.resource("cloud_moto_setup.py"),
                                                   "http://127.0.0.1:\(server.port)", keyPath])
        guard setup.status == 0,
              let data = FileManager.default.contents(atPath: keyPath),
              let key = try JSONSerialization.jsonObject(with: data) as? [String: String],
              let id = key["access_key_id"], let secret = key["secret_access_key"] else {
            throw CloudFixtureError.serverDidNotStart("moto IAM setup", setup.output)
        }
        accessKeyID = id
        secretAccessKey = secret
    }
}
