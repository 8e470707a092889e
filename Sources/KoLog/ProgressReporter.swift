#if canImport(Glibc)
import Glibc
#endif

/// Shows the progress of long steps (a layer compressing, a blob uploading)
/// on stderr, never on stdout, which carries results only.
///
/// On a terminal each running step has a live line, redrawn in place with
/// bytes and rate, that turns into a plain summary line when the step ends;
/// log lines go above the live lines. Anywhere else (a pipe, a file, a CI
/// log) only the summary lines are written. `NO_COLOR` turns colors off;
/// `--quiet` (`.silent`) shows nothing.
///
///     let task = progress.start("Uploading", "sha256:1a2b3c4d5e6f", total: size)
///     try client.uploadBlob(..., progress: task.update)
///     task.finish("Uploaded")
public final class ProgressReporter: @unchecked Sendable {
    /// How progress is shown.
    public enum Style: Sendable, Equatable {
        /// Live lines redrawn in place, for a terminal.
        case live(color: Bool)
        /// One line per finished step.
        case plain
        /// Nothing.
        case silent
    }

    public let style: Style
    private let descriptor: Int32
    private let mutex = Mutex()
    private var running: [ProgressTask] = []
    private var drawnLines = 0
    private var lastDraw: UInt64 = 0

    /// Live lines are redrawn at most this often (nanoseconds).
    static let redrawInterval: UInt64 = 100_000_000

    /// A reporter writing to `descriptor` (stderr by default).
    public init(style: Style, descriptor: Int32 = 2) {
        self.style = style
        self.descriptor = descriptor
    }

    /// Shows nothing.
    public static let silent = ProgressReporter(style: .silent)

    /// The reporter for stderr: silent when `quiet`, live on a terminal
    /// (colored unless `NO_COLOR` is set and not empty, or `TERM` is `dumb`),
    /// plain otherwise.
    public static func standardError(environment: [String: String], quiet: Bool) -> ProgressReporter {
        ProgressReporter(style: style(environment: environment, quiet: quiet, isTerminal: isatty(2) == 1))
    }

    /// The style for a stream that is or is not a terminal.
    public static func style(environment: [String: String], quiet: Bool, isTerminal: Bool) -> Style {
        if quiet { return .silent }
        guard isTerminal, environment["TERM"] != "dumb" else { return .plain }
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return .live(color: !noColor)
    }

    /// Starts the line of one step: `verb` is what it is doing
    /// ("Compressing"), `subject` what it works on, `total` the bytes
    /// expected, when known.
    public func start(_ verb: String, _ subject: String, total: Int64? = nil) -> ProgressTask {
        let task = ProgressTask(reporter: self, verb: verb, subject: subject, total: total,
                                started: ProgressReporter.now())
        guard case .live = style else { return task }
        mutex.locked {
            running.append(task)
            redraw(force: true)
        }
        return task
    }

    /// A `Logger` sink that writes each line above the live lines, so the
    /// two never mix.
    public var logSink: Logger.Sink {
        { [self] level, message in
            guard case .live = style else { return Logger.standardError(level, message) }
            mutex.locked {
                clearLiveLines()
                Logger.standardError(level, message)
                redraw(force: true)
            }
        }
    }

    // MARK: Called by tasks

    func record(_ bytes: Int64, for task: ProgressTask) {
        mutex.locked {
            task.completed = bytes
            redraw(force: false)
        }
    }

    func finished(_ task: ProgressTask, line: String, verb: String) {
        switch style {
        case .silent:
            return
        case .plain:
            write(line + "\n")
        case let .live(color):
            mutex.locked {
                running.removeAll { $0 === task }
                clearLiveLines()
                write(colored(fit(line), verb: verb, code: "32", color: color) + "\n")
                redraw(force: true)
            }
        }
    }

    func cancelled(_ task: ProgressTask) {
        guard case .live = style else { return }
        mutex.locked {
            running.removeAll { $0 === task }
            redraw(force: true)
        }
    }

    // MARK: Drawing (mutex held)

    private func redraw(force: Bool) {
        guard case let .live(color) = style, !(running.isEmpty && drawnLines == 0) else { return }
        let now = ProgressReporter.now()
        guard force || now &- lastDraw >= ProgressReporter.redrawInterval else { return }
        lastDraw = now
        var text = drawnLines > 0 ? "\r\u{1B}[\(drawnLines)A" : "\r"
        for task in running {
            let line = colored(fit(task.liveLine(now: now)), verb: task.verb, code: "36", color: color)
            text += "\u{1B}[2K" + line + "\n"
        }
        text += "\u{1B}[J"
        drawnLines = running.count
        write(text)
    }

    /// Moves to the first live line and clears them all.
    private func clearLiveLines() {
        guard drawnLines > 0 else { return }
        write("\r\u{1B}[\(drawnLines)A\u{1B}[J")
        drawnLines = 0
    }

    /// Cut to the terminal's width, so that no line wraps and the cursor
    /// arithmetic of the redraw stays right.
    private func fit(_ line: String) -> String {
        var size = winsize()
        let columns = ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        guard line.count >= columns else { return line }
        return String(line.prefix(max(columns - 2, 1))) + "…"
    }

    /// The leading `verb` of `line` in color `code` (an SGR number).
    private func colored(_ line: String, verb: String, code: String, color: Bool) -> String {
        guard color, line.hasPrefix(verb) else { return line }
        return "\u{1B}[\(code)m\(verb)\u{1B}[0m" + line.dropFirst(verb.count)
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// A pthread mutex (KoLog does not use Foundation).
private final class Mutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
