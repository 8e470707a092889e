/// Where and why a JSON text could not be read. Lines and columns count from
/// 1; columns count bytes.
///
/// The reason may quote the offending character; where the text can hold a
/// secret, show only the position.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}
