import Foundation
import KoCrypto
import TestSupport
import Testing

/// Layer-test helpers on the shared temporary directory fixture.
extension TemporaryDirectory {
    /// Writes `bytes` to `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The result of running a real tool.
struct ToolResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `tool` (looked up on PATH) and collects its output; stdout may be large.
@discardableResult
func runTool(_ tool: String, _ arguments: [String], environment: [String: String]? = nil,
             directory: String? = nil, stdoutTo file: String? = nil) throws -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let errorPipe = Pipe()
    process.standardError = errorPipe
    let outputPipe = Pipe()
    var outputHandle: FileHandle?
    if let file {
        FileManager.default.createFile(atPath: file, contents: nil)
        outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        process.standardOutput = outputHandle
    } else {
        process.standardOutput = outputPipe
    }
    try process.run()
    // stderr is drained on another thread so a chatty tool cannot block on a full pipe.
    let errors = ErrorBytes()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errors.data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    var output = Data()
    if file == nil { output = outputPipe.fileHandleForReading.readDataToEndOfFile() }
    group.wait()
    process.waitUntilExit()
    try outputHandle?.close()
    return ToolResult(status: process.terminationStatus, stdout: output,
                      stderr: String(decoding: errors.data, as: UTF8.self))
}

/// stderr bytes filled by the reader thread; `DispatchGroup.wait` orders the access.
private final class ErrorBytes: @unchecked Sendable {
    var data = Data()
}

/// Runs a tool and requires exit status 0.
@discardableResult
func requireTool(_ tool: String, _ arguments: [String], environment: [String: String]? = nil,
                 directory: String? = nil, stdoutTo file: String? = nil) throws -> ToolResult {
    let result = try runTool(tool, arguments, environment: environment, directory: directory, stdoutTo: file)
    guard result.status == 0 else {
        throw FixtureError("\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
}

/// sha256 hex of a file's bytes, read in chunks.
func sha256Hex(ofFile path: String) throws -> String {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    let digest = MessageDigest.sha256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { digest.update($0) }
    }
    return hexString(digest.finalize())
}

func sha256Hex(_ data: Data) -> String {
    hexString(MessageDigest.sha256(of: data))
}
