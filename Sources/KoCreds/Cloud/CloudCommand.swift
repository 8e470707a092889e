import Foundation

/// Runs a credential command (`credential_process`, a Google executable
/// source, `gcloud`) and collects what it prints.
///
/// Commands from configuration files run through `/bin/sh -c`, as the AWS and
/// Google SDKs do on Unix. Nothing secret is ever added to their command line;
/// what they print on stdout is the credential and is never logged.
struct CloudCommand {
    struct Output {
        var status: Int32
        var stdout: [UInt8]
        /// The first line of stderr, for error messages.
        var stderrLine: String
    }

    enum Failure: Error, CustomStringConvertible {
        case launch(String)
        case timedOut(seconds: Int)

        var description: String {
            switch self {
            case let .launch(reason): return "could not start it: \(reason)"
            case let .timedOut(seconds): return "it did not finish within \(seconds) seconds and was stopped"
            }
        }
    }

    /// Runs `executable` with `arguments` and `environment`, waiting at most
    /// `timeout` seconds; stdout is capped at 1 MiB.
    static func run(executable: String, arguments: [String], environment: [String: String],
                    timeout: TimeInterval) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure.launch("\(error.localizedDescription)")
        }

        let timedOut = TimeoutFlag()
        let timer = DispatchWorkItem {
            if process.isRunning {
                timedOut.set()
                process.terminate()
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)

        let errorCollector = DispatchGroup()
        let errorBytes = CollectedBytes()
        DispatchQueue.global().async(group: errorCollector) {
            errorBytes.set(stderr.fileHandleForReading.readDataToEndOfFile())
        }
        var outBytes = Data()
        while outBytes.count < (1 << 20) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            outBytes.append(chunk)
        }
        try? stdout.fileHandleForReading.close()
        process.waitUntilExit()
        errorCollector.wait()
        timer.cancel()
        if timedOut.isSet { throw Failure.timedOut(seconds: Int(timeout)) }

        let firstLine = String(decoding: errorBytes.value.prefix(2048), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return Output(status: process.terminationStatus, stdout: Array(outBytes.prefix(1 << 20)),
                      stderrLine: CloudExchange.oneLine(firstLine, limit: 200))
    }

    /// Runs a command line from a configuration file through `/bin/sh -c`.
    static func runShell(_ command: String, environment: [String: String],
                         timeout: TimeInterval) throws -> Output {
        try run(executable: "/bin/sh", arguments: ["-c", command], environment: environment, timeout: timeout)
    }

    /// The first executable named `name` on the environment's PATH.
    static func find(_ name: String, path: String?) -> String? {
        guard let path else { return nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

private final class CollectedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    func set(_ data: Data) { lock.lock(); bytes = data; lock.unlock() }
    var value: Data { lock.lock(); defer { lock.unlock() }; return bytes }
}
