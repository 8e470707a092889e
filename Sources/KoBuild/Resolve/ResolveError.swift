import KoImage

/// Errors from reading YAML files and resolving their `ko://` references.
public enum ResolveError: Error, CustomStringConvertible, Sendable {
    /// The YAML could not be parsed; `line` is 1-based.
    case invalidYAML(file: String, line: Int, column: Int, reason: String)
    /// A `ko://` scalar with nothing after the scheme.
    case emptyImportPath(file: String, line: Int)
    /// The caller's map had no reference for an import path found in the file.
    case unresolvedImportPath(String, file: String, line: Int)
    /// `metadata.labels` (or a List item) has a shape labels cannot have.
    case invalidLabels(file: String, line: Int, reason: String)
    /// A `-l/--selector` value that is not a Kubernetes label selector.
    case invalidSelector(String, reason: String)
    /// A `-f` argument that could not be listed or read.
    case unreadable(path: String, reason: String)
    /// Parsing found more nesting than any manifest has.
    case tooDeep(file: String, line: Int)

    public var description: String {
        switch self {
        case let .invalidYAML(file, line, column, reason):
            return "\(file):\(line):\(column): invalid YAML: \(reason)"
        case let .emptyImportPath(file, line):
            return "\(file):\(line): 'ko://' names no import path; write ko://<import path of a main package>"
        case let .unresolvedImportPath(importPath, file, line):
            return "\(file):\(line): no image was built for ko://\(importPath)"
        case let .invalidLabels(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .invalidSelector(selector, reason):
            return "invalid label selector '\(InputQuoting.quote(selector))': \(InputQuoting.quote(reason, limit: 300)); "
                + "write for example 'app=web,tier!=db'"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .tooDeep(file, line):
            return "\(file):\(line): YAML nests too deeply to be a Kubernetes manifest"
        }
    }
}
