import Foundation

/// The outcome of a finished command.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
}

/// Errors from starting and supervising test peers.
public enum ProcessFixtureError: Error, CustomStringConvertible {
    case launchFailed(command: String, reason: String)
    case failed(command: String, status: Int32, output: String)
    case notReady(what: String, reason: String, log: String)
    case missingResource(String)

    public var description: String {
        switch self {
        case let .launchFailed(command, reason):
            return "cannot start \(command): \(reason)"
        case let .failed(command, status, output):
            return "\(command) exited with status \(status):\n\(output)"
        case let .notReady(what, reason, log):
            return "\(what) did not start: \(reason)\n--- its log ---\n\(log)"
        case let .missingResource(name):
            return "test resource \(name) is missing from the TestSupport bundle"
        }
    }
}

/// Runs short-lived commands for tests (`htpasswd`, `openssl`, `skopeo`).
///
/// Secrets go through `input` (stdin) or files, never through `arguments`.
public enum ProcessRunner {
    /// Runs `executable` (a path, or a name looked up on PATH) to completion.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil,
                           environment: [String: String]? = nil,
                           directory: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }

        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do {
            try process.run()
        } catch {
            throw ProcessFixtureError.launchFailed(command: executable, reason: "\(error)")
        }
        if let input {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so that neither fills up and blocks the child.
        let errorBytes = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBytes.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputBytes = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, standardOutput: [UInt8](outputBytes),
                             standardError: [UInt8](errorBytes.data))
    }

    /// Runs a command and throws with its output unless it exits 0.
    @discardableResult
    public static func check(_ executable: String, _ arguments: [String], input: [UInt8]? = nil,
                             environment: [String: String]? = nil) throws -> ProcessResult {
        let result = try run(executable, arguments, input: input, environment: environment)
        guard result.succeeded else {
            throw ProcessFixtureError.failed(command: ([executable] + arguments).joined(separator: " "),
                                             status: result.status,
                                             output: result.errorOutput + result.output)
        }
        return result
    }

    /// The absolute path of `name`: itself when it contains a slash, else the PATH entry.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessFixtureError.launchFailed(command: name, reason: "not found on PATH (\(path))")
    }
}

/// Bytes filled in by a reader thread; `DispatchGroup.wait` orders the access.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
