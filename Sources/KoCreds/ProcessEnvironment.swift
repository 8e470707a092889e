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
