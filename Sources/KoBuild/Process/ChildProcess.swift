import Foundation

/// The outcome of a child process that ran to completion.
public struct ChildProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorText: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs a program and collects what it prints.
///
/// Secrets are never passed as arguments: callers that must hand one over write
/// it to `input`. The environment is given whole so that tests and builds can
/// say exactly what the child sees.
public enum ChildProcess {
    /// Runs `executable` (a path, or a name looked up on the given PATH) with
    /// `arguments`, waiting for it to exit.
    public static func run(_ executable: String, _ arguments: [String],
                           environment: [String: String],
                           directory: String? = nil,
                           input: [UInt8]? = nil) throws -> ChildProcessResult {
        guard let path = resolve(executable, path: environment["PATH"]) else {
            throw BuildError.toolNotFound(executable)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }

        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        do {
            try process.run()
        } catch {
            throw BuildError.toolFailed(executable, "could not start: \(error.localizedDescription)")
        }
        if let input {
            inPipe.fileHandleForWriting.write(Data(input))
            try? inPipe.fileHandleForWriting.close()
        }

        // Drain both pipes concurrently: a child that fills one while we wait
        // on the other would otherwise deadlock.
        var errorBytes = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBytes = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputBytes = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ChildProcessResult(status: process.terminationStatus,
                                  standardOutput: Array(outputBytes),
                                  standardError: Array(errorBytes))
    }

    /// The absolute path of `name` on `path`, or `name` itself when it has a slash.
    public static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
