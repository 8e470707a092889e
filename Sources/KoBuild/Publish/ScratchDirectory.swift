import Foundation

/// A private directory for one run's binaries and layers, removed afterwards.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ko-build.XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw BuildError.toolFailed("ko", "cannot create a temporary directory in \(NSTemporaryDirectory())")
        }
        path = String(cString: created)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A directory of its own for one build step.
    func subdirectory(for name: String) throws -> String {
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        let directory = path + "/" + String(safe)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}
