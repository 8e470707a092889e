import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real Docker Engine API on a Unix socket: Debian's podman running
/// `podman system service` with its own storage (vfs) in a fresh directory.
///
///     let engine = try DockerEngineFixture.start()
///     engine.socketPath          // for DOCKER_HOST=unix://<path>
///     try engine.get("/v1.41/images/json")
///
/// The service stops when the fixture is released, and at process exit.
public final class DockerEngineFixture: @unchecked Sendable {
    public let socketPath: String
    public let directory: String
    private let process: ProcessFixture

    /// Starts the service and waits until it answers `/_ping`.
    public static func start() throws -> DockerEngineFixture { try DockerEngineFixture() }

    private init() throws {
        directory = (try ProcessFixture.temporaryDirectory("ko-engine") as NSString).standardizingPath
        socketPath = directory + "/engine.sock"
        let podman: String
        do {
            podman = try ProcessRunner.resolve("podman")
        } catch {
            throw TestSupportError("podman is not installed: run scripts/install-deps.sh (apt-get install podman)")
        }
        process = try ProcessFixture(
            name: "podman system service", executable: podman,
            arguments: ["--root", directory + "/root", "--runroot", directory + "/run",
                        "--storage-driver=vfs", "--cgroup-manager=cgroupfs", "--events-backend=file",
                        "system", "service", "--time=0", "unix://" + socketPath],
            logPath: directory + "/podman.log",
            environment: ProcessInfo.processInfo.environment.merging(
                ["XDG_RUNTIME_DIR": directory + "/run", "TMPDIR": directory]) { _, new in new })
        let deadline = Date().addingTimeInterval(30)
        while (try? get("/_ping").body) != Array("OK".utf8) {
            guard process.isRunning else {
                throw ProcessFixtureError.notReady(what: "podman system service", reason: "it exited",
                                                   log: process.logTail())
            }
            guard Date() < deadline else {
                throw ProcessFixtureError.notReady(what: "podman system service",
                                                   reason: "\(socketPath) not answering after 30s",
                                                   log: process.logTail())
            }
            usleep(100_000)
        }
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `DOCKER_HOST` for this engine.
    public var dockerHost: String { "unix://" + socketPath }

    /// The last lines of the service's log.
    public func logTail() -> String { process.logTail() }

    /// A GET over the socket with a tiny HTTP/1.0 client of its own, so
    /// that checks do not go through the code under test.
    public func get(_ path: String) throws -> (status: Int, body: [UInt8]) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("socket(): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw TestSupportError("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            throw TestSupportError("connect \(socketPath): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
        guard write(descriptor, request, request.count) == request.count else {
            throw TestSupportError("write to \(socketPath) failed")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let split = (0...max(0, response.count - 4)).first(where: {
            response.count >= 4 && Array(response[$0..<$0 + 4]) == separator
        }) else { throw TestSupportError("no HTTP response from \(socketPath)") }
        let head = String(decoding: response[0..<split], as: UTF8.self)
        let fields = head.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, let status = Int(fields[1]) else {
            throw TestSupportError("bad status line from \(socketPath): \(head.prefix(80))")
        }
        return (status, Array(response[(split + 4)...]))
    }

    /// `GET /v1.41/images/json`: each image's `Id` and `RepoTags`.
    public func images() throws -> [(id: String, repoTags: [String])] {
        let (status, body) = try get("/v1.41/images/json")
        guard status == 200,
              let list = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] else {
            throw TestSupportError("GET /v1.41/images/json answered \(status): "
                                   + String(decoding: body.prefix(300), as: UTF8.self))
        }
        return list.map { ($0["Id"] as? String ?? "", $0["RepoTags"] as? [String] ?? []) }
    }
}
