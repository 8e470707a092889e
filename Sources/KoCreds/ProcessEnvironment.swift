#if canImport(Glibc)
import Glibc
#endif

/// The process environment and PATH lookups, read with `getenv` so the
/// credential helper does not pay for building a whole environment dictionary.
enum ProcessEnvironment {
    /// The variable's value, or nil when unset.
    static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        return String(cString: pointer)
    }

    /// PATH when the environment has none.
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// True when `environment` names a D-Bus session bus: an address, or a
    /// socket at `$XDG_RUNTIME_DIR/bus` (where GLib looks without one).
    static func hasSessionBus(_ environment: [String: String]) -> Bool {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return true }
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else { return false }
        var info = stat()
        return stat(runtime + "/bus", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// The first executable file called `name` in the colon-separated `searchPath`.
    static func findExecutable(_ name: String, searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
