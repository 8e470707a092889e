#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors from building layers: reading input files, writing tar and gzip
/// streams, and the kodata rules ko enforces.
public enum LayerError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case fileChangedWhileReading(path: String, expected: Int64, actual: Int64)
    case invalidEntryName(String, reason: String)
    case symlinkEscapesModule(link: String, target: String, moduleRoot: String)
    case unresolvableSymlink(link: String, reason: String)
    case unsupportedFileType(path: String, kind: String)
    case compression(operation: String, code: Int32, message: String)
    case writerFinished(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason)"
        case let .readFailed(path, reason):
            return "cannot read \(path): \(reason)"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason); check free disk space and permissions"
        case let .fileChangedWhileReading(path, expected, actual):
            return "\(path) changed while it was being added to a layer (expected \(expected) bytes, "
                + "read \(actual)); make sure nothing writes to it during the build"
        case let .invalidEntryName(name, reason):
            return "cannot put '\(name)' in a tar layer: \(reason)"
        case let .symlinkEscapesModule(link, target, moduleRoot):
            return "kodata symlink \(link) points to \(target), outside the module root \(moduleRoot); "
                + "replace it with a copy of the file or point it inside the module"
        case let .unresolvableSymlink(link, reason):
            return "cannot resolve kodata symlink \(link): \(reason); fix or remove the link"
        case let .unsupportedFileType(path, kind):
            return "cannot put \(path) in a layer: it is a \(kind); only regular files, directories "
                + "and symlinks to them are supported"
        case let .compression(operation, code, message):
            return "compression failed in \(operation) (code \(code)): \(message)"
        case let .writerFinished(what):
            return "\(what) was used after it was finished"
        }
    }

    /// The text of the current `errno`.
    static func errnoText(_ code: Int32 = errno) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
