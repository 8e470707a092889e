import Foundation

/// Where the package's built executables and its own files are, for tests
/// that run `ko` and `docker-credential-ko` as a user would.
public enum Products {
    /// The package root, found from this file's location.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The directory holding the built products: `KO_BIN_DIR` if set, else the
    /// directory of the running test bundle (SwiftPM puts both together).
    public static let binDirectory: String = {
        if let configured = ProcessInfo.processInfo.environment["KO_BIN_DIR"], !configured.isEmpty {
            return configured
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On Linux the runner is `<bin>/<name>PackageTests.xctest`; on other
        // layouts it sits deeper inside the bundle.
        while directory.path != "/" {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("ko").path) {
                return directory.path
            }
            directory.deleteLastPathComponent()
        }
        return packageRoot + "/.build/debug"
    }()

    public static var ko: String { binDirectory + "/ko" }
    public static var credentialHelper: String { binDirectory + "/docker-credential-ko" }

    /// True when running under CI, where no test may skip for a missing service.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
