#if canImport(Glibc)
import Glibc
#endif

/// The process environment, read with `getenv` so the credential helper does
/// not pay for building a whole environment dictionary. PATH lookups are
/// `ChildProcess.resolve(_:searchPath:)` in KoProcess.
package enum ProcessEnvironment {
    /// The variable's value, or nil when unset.
    package static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        return String(cString: pointer)
    }

    /// True when `environment` names a D-Bus session bus: an address, or a
    /// socket at `$XDG_RUNTIME_DIR/bus` (where GLib looks without one).
    package static func hasSessionBus(_ environment: [String: String]) -> Bool {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return true }
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else { return false }
        var info = stat()
        return stat(runtime + "/bus", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }
}
