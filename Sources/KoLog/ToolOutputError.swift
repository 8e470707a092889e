/// An error that another program explained in its own words (a compiler's
/// diagnostics, say). The command line prints `toolOutput` as the program
/// wrote it, then the error's one-line description, as Google's ko leaves
/// `go build`'s messages on stderr above its own one-line error.
public protocol ToolOutputError: Error, CustomStringConvertible {
    /// What the other program printed; empty when it printed nothing.
    var toolOutput: String { get }
}
