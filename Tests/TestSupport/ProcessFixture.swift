import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A long-lived test peer (a registry, a token server) running under
/// `supervise.py`, so that it dies with the test process even after a crash.
///
/// Output goes to `logPath`. The peer is stopped by `stop()`, when the fixture
/// is released, and at process exit.
public final class ProcessFixture: @unchecked Sendable {
    public let name: String
    public let logPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts `executable` with `arguments` (never secrets: pass those in files).
    public init(name: String, executable: String, arguments: [String], logPath: String,
                environment: [String: String]? = nil, directory: String? = nil) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw ProcessFixtureError.launchFailed(command: name, reason: "cannot write \(logPath)")
        }
        defer { try? log.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.resolve("python3"))
        process.arguments = [try ProcessFixture.resource("supervise.py"),
                             try ProcessRunner.resolve(executable)] + arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw ProcessFixtureError.launchFailed(command: name, reason: "\(error)")
        }
        self.process = process
        LiveProcesses.shared.add(process.processIdentifier)
    }

    deinit { stop() }

    public var isRunning: Bool { process.isRunning }

    /// Stops the peer and waits for it; safe to call more than once.
    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        LiveProcesses.shared.remove(process.processIdentifier)
    }

    /// The last lines of the peer's log, for failure messages.
    public func logTail(lines: Int = 40) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log)" }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            .joined(separator: "\n")
    }

    /// Waits until `127.0.0.1:port` accepts connections, failing with the log
    /// when the peer exits first or takes longer than `seconds`.
    public func waitUntilListening(port: Int, seconds: Double = 30) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !Ports.isAnswering(port: port) {
            guard process.isRunning else {
                throw ProcessFixtureError.notReady(what: name, reason: "it exited with status "
                                                   + "\(process.terminationStatus)", log: logTail())
            }
            guard Date() < deadline else {
                throw ProcessFixtureError.notReady(what: name, reason: "port \(port) not answering "
                                                   + "after \(Int(seconds))s", log: logTail())
            }
            usleep(50_000)
        }
    }

    /// Waits until the peer writes the port it bound into `path` (the Python
    /// servers bind port 0 and report it this way), then until it answers.
    public func waitForPortFile(_ path: String, seconds: Double = 30) throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let data = FileManager.default.contents(atPath: path),
               let text = String(data: data, encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                try waitUntilListening(port: port, seconds: max(1, deadline.timeIntervalSinceNow))
                return port
            }
            guard process.isRunning else {
                throw ProcessFixtureError.notReady(what: name, reason: "it exited with status "
                                                   + "\(process.terminationStatus)", log: logTail())
            }
            guard Date() < deadline else {
                throw ProcessFixtureError.notReady(what: name, reason: "no port reported in \(path) "
                                                   + "after \(Int(seconds))s", log: logTail())
            }
            usleep(50_000)
        }
    }

    /// The path of a file in TestSupport's `Resources` folder.
    public static func resource(_ name: String) throws -> String {
        let candidates = [
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")?.path,
            Bundle.module.resourceURL?.appendingPathComponent("Resources/\(name)").path,
        ]
        for case let path? in candidates where FileManager.default.fileExists(atPath: path) {
            return path
        }
        throw ProcessFixtureError.missingResource(name)
    }

    /// A fresh private temporary directory (mode 0700) for one fixture.
    public static func temporaryDirectory(_ prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else {
            throw ProcessFixtureError.launchFailed(command: prefix, reason: "mkdtemp failed: "
                                                   + String(cString: strerror(errno)))
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Supervisor pids still running, terminated by an `atexit` handler.
final class LiveProcesses: @unchecked Sendable {
    static let shared: LiveProcesses = {
        let live = LiveProcesses()
        atexit { LiveProcesses.shared.terminateAll() }
        return live
    }()

    private let lock = NSLock()
    private var pids: Set<Int32> = []

    func add(_ pid: Int32) {
        lock.lock()
        pids.insert(pid)
        lock.unlock()
    }

    func remove(_ pid: Int32) {
        lock.lock()
        pids.remove(pid)
        lock.unlock()
    }

    func terminateAll() {
        lock.lock()
        let all = pids
        pids.removeAll()
        lock.unlock()
        for pid in all { kill(pid, SIGTERM) }
    }
}
