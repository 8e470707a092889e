#if canImport(Glibc)
import Glibc
#endif

/// A leveled logger that libraries take as a parameter; executables decide
/// which levels reach stderr.
///
/// Messages are built lazily, so a disabled level costs nothing. Callers must
/// redact secrets before logging: see `Redaction`.
public struct Logger: Sendable {
    /// How much detail a message carries; `info` is one line per step.
    public enum Level: Int, Comparable, Sendable {
        case trace = 0, debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Where lines go. The default writes to stderr; tests capture them.
    public typealias Sink = @Sendable (Level, String) -> Void

    public let minimumLevel: Level
    private let sink: Sink

    public init(minimumLevel: Level = .info, sink: @escaping Sink = Logger.standardError) {
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    /// A logger that drops everything; the default for library calls.
    public static let silent = Logger(minimumLevel: .error, sink: { _, _ in })

    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        sink(level, message())
    }

    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }

    /// Writes one line to stderr in a single `write(2)` so that lines from
    /// parallel builds never interleave mid-line.
    public static let standardError: Sink = { level, message in
        let prefix: String
        switch level {
        case .warning: prefix = "Warning: "
        case .error: prefix = "Error: "
        default: prefix = ""
        }
        var line = prefix + message
        if !line.hasSuffix("\n") { line += "\n" }
        line.withCString { pointer in
            _ = write(2, pointer, strlen(pointer))
        }
    }
}
