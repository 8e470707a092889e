/// Failures reading or writing Docker's config.json. Messages name the file
/// and never quote a secret.
public enum ConfigFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is not valid JSON; it is left as it is.
    case malformed(path: String, line: Int, column: Int, reason: String)
    /// A member we use has the wrong JSON type.
    case invalidField(path: String, field: String, expected: String)
    /// An `auths` entry's `auth` is not base64 of `user:password`.
    case invalidAuth(path: String, server: String)
    /// A system call failed on the file or its directory.
    case io(path: String, operation: String, reason: String)
    /// Another process held the config lock for too long.
    case lockTimeout(path: String, seconds: Int)
    /// The home directory could not be found, so neither is the config.
    case noHomeDirectory

    public var description: String {
        switch self {
        case let .malformed(path, line, column, reason):
            return "\(path) is not valid JSON (line \(line), column \(column): \(reason)); "
                + "fix or remove it: it was left unchanged"
        case let .invalidField(path, field, expected):
            return "\(path): '\(field)' must be \(expected); fix the file: it was left unchanged"
        case let .invalidAuth(path, server):
            return "\(path): the 'auth' value for \(server) is not base64 of 'username:password'; "
                + "log in to \(server) again"
        case let .io(path, operation, reason):
            return "cannot \(operation) \(path): \(reason)"
        case let .lockTimeout(path, seconds):
            return "timed out after \(seconds)s waiting for the lock \(path), held by another process; "
                + "retry, or remove the lock file if no login is running"
        case .noHomeDirectory:
            return "cannot find the Docker config directory: set HOME or DOCKER_CONFIG"
        }
    }
}
