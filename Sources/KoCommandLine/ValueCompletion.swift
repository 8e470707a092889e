/// What a flag's value or a command's positional arguments complete to in a
/// shell; the completion scripts are generated from these declarations.
public enum ValueCompletion: Sendable, Equatable {
    /// Nothing to offer: a free-form value (a tag, a number).
    case none
    /// File names.
    case files
    /// Directory names (Go packages given as `./cmd/app`).
    case directories
    /// One of a fixed set of words.
    case words([String])
    /// The name of one of the program's commands (`ko help <command>`).
    case commands
}
