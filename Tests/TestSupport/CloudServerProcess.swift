import Foundation

/// A loopback server script of `Resources/` that prints `PORT <n>` when it
/// listens, and exits when its stdin closes, so it never outlives the test
/// process even if that one crashes.
final class CloudServerProcess {
    let port: Int
    private let process: Process
    private let stdin: Pipe

    init(name: String, executable: String, arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()

        // The first line says where it listens, or why it could not.
        let line = Self.readLine(stdout.fileHandleForReading)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw CloudFixtureError.serverDidNotStart(name, line.isEmpty ? "it exited before listening" : line)
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while true {
            guard let byte = try? handle.read(upToCount: 1), let first = byte.first else { break }
            if first == UInt8(ascii: "\n") { break }
            bytes.append(first)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
