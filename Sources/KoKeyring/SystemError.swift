#if canImport(Glibc)
import Glibc
#endif

/// The text of the current `errno`.
package func lastErrorText() -> String {
    errorText(errno)
}

/// The text of an `errno` value.
package func errorText(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "error \(code)" }
    return String(cString: message)
}
