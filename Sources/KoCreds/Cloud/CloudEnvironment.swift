import Foundation

/// The process environment and clock a provider reads, injectable for tests.
struct CloudEnvironment {
    let variables: [String: String]
    /// The clock; tests move it to cross a token's half-life without waiting.
    var now: @Sendable () -> Date = { Date() }
    /// The file whose text says "Google" on a Compute Engine VM; nil never
    /// looks (tests), so no test can reach a real metadata server.
    var gceProductNamePath: String? = "/sys/class/dmi/id/product_name"

    init(variables: [String: String]) {
        self.variables = variables
    }

    /// A variable's value, nil when unset or empty.
    subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    var home: String? { self["HOME"] }

    /// `path` with a leading `~/` replaced by HOME.
    func expandingHome(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home else { return path }
        return home + path.dropFirst()
    }

    /// Whether a boolean-looking variable is set to true ("1", "true", "yes").
    func isTrue(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }

    /// Reads a small text file (credential files, token files), at most 1 MiB.
    func readFile(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: expandingHome(path))
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let data = try handle.read(upToCount: 1 << 20) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func fileExists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: expandingHome(path), isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }
}
