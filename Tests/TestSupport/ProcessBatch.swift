import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs many commands at the same moment, for concurrency tests.
///
/// Every command is started first, each blocked on its stdin; then all
/// stdins are written and closed at once, so the commands race for real.
/// Commands that read no stdin (`input == nil`) are started last, right
/// before the others are released. Output goes to files, so no pipe fills up.
public enum ProcessBatch {
    public struct Job: Sendable {
        public var executable: String
        public var arguments: [String]
        public var environment: [String: String]?
        /// Bytes for stdin; nil for a command that reads none.
        public var input: [UInt8]?

        public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    input: [UInt8]? = nil) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.input = input
        }
    }

    /// The outcome of each job, in order. A job killed by a signal has status
    /// 128 + the signal number.
    public static func runTogether(_ jobs: [Job]) throws -> [ProcessResult] {
        let directory = try ProcessFixture.temporaryDirectory("ko-batch")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var processes: [Process?] = Array(repeating: nil, count: jobs.count)
        var inputs: [Pipe?] = Array(repeating: nil, count: jobs.count)
        let order = jobs.indices.filter { jobs[$0].input != nil } + jobs.indices.filter { jobs[$0].input == nil }
        for index in order {
            let job = jobs[index]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try ProcessRunner.resolve(job.executable))
            process.arguments = job.arguments
            if let environment = job.environment { process.environment = environment }
            for stream in ["out", "err"] {
                let path = "\(directory)/\(index).\(stream)"
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                let handle = FileHandle(forWritingAtPath: path)
                if stream == "out" { process.standardOutput = handle } else { process.standardError = handle }
            }
            if job.input != nil {
                let pipe = Pipe()
                process.standardInput = pipe
                inputs[index] = pipe
            } else {
                process.standardInput = FileHandle.nullDevice
            }
            do {
                try process.run()
            } catch {
                throw ProcessFixtureError.launchFailed(command: job.executable, reason: "\(error)")
            }
            processes[index] = process
        }
        // Release them all.
        for index in jobs.indices {
            guard let pipe = inputs[index], let input = jobs[index].input else { continue }
            pipe.fileHandleForWriting.write(Data(input))
            try? pipe.fileHandleForWriting.close()
        }
        var results: [ProcessResult] = []
        for index in jobs.indices {
            guard let process = processes[index] else { continue }
            process.waitUntilExit()
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus
                                                                       : process.terminationStatus
            let output = FileManager.default.contents(atPath: "\(directory)/\(index).out") ?? Data()
            let error = FileManager.default.contents(atPath: "\(directory)/\(index).err") ?? Data()
            results.append(ProcessResult(status: status, standardOutput: [UInt8](output),
                                         standardError: [UInt8](error)))
        }
        return results
    }
}
