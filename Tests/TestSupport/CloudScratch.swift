import Foundation

/// A private temporary directory for one cloud test, removed on deinit.
public final class CloudScratch {
    public let path: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory.path
        let path = base + "/ko-cloud-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        self.path = path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` inside the directory (mode 0600 by default) and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String, mode: Int = 0o600) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    /// Writes a JSON object to `name` (mode 0600) and returns its path.
    @discardableResult
    public func writeJSON(_ name: String, _ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try write(name, String(decoding: data, as: UTF8.self))
    }

    public func read(_ name: String) throws -> String {
        try String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }
}

/// Where the test support scripts are, and how to run a tool to completion.
public enum CloudTools {
    /// `Tests/TestSupport/Resources` in the source tree.
    public static var resources: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources").path
    }

    public static func resource(_ name: String) -> String { resources + "/" + name }

    /// Runs a tool found on PATH; returns its exit status and its stdout
    /// and stderr together.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String],
                           environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Makes an RSA key pair with openssl: the PKCS#8 private key PEM and
    /// the path of the public key PEM.
    public static func makeRSAKey(in scratch: CloudScratch,
                                  name: String) throws -> (privatePEM: String, publicPath: String) {
        let privatePath = scratch.path + "/\(name).key"
        let publicPath = scratch.path + "/\(name).pub"
        let generated = try run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                                            "-out", privatePath])
        guard generated.status == 0 else { throw CloudFixtureError.toolFailed("openssl genpkey", generated.output) }
        let exported = try run("openssl", ["pkey", "-in", privatePath, "-pubout", "-out", publicPath])
        guard exported.status == 0 else { throw CloudFixtureError.toolFailed("openssl pkey", exported.output) }
        return (try String(contentsOfFile: privatePath, encoding: .utf8), publicPath)
    }
}

/// Why a cloud test fixture could not start.
public enum CloudFixtureError: Error, CustomStringConvertible {
    case toolFailed(String, String)
    case serverDidNotStart(String, String)

    public var description: String {
        switch self {
        case let .toolFailed(tool, output): return "\(tool) failed: \(output)"
        case let .serverDidNotStart(name, reason): return "\(name) did not start: \(reason)"
        }
    }
}
