/// One step shown by a `ProgressReporter`: a layer compressing, a blob
/// uploading. Report bytes with `update`, end it with `finish`.
public final class ProgressTask: @unchecked Sendable {
    /// "Compressing", "Uploading".
    public let verb: String
    /// What the step works on: "binary layer of app", "sha256:1a2b3c4d5e6f".
    public let subject: String
    /// The bytes the step will handle, when known.
    public let total: Int64?
    private let reporter: ProgressReporter
    private let started: UInt64
    /// Bytes done; written under the reporter's mutex, since another
    /// thread's redraw reads it.
    var completed: Int64 = 0
    // Only the task's own thread finishes or cancels it.
    private var isFinished = false

    init(reporter: ProgressReporter, verb: String, subject: String, total: Int64?, started: UInt64) {
        self.reporter = reporter
        self.verb = verb
        self.subject = subject
        self.total = total
        self.started = started
    }

    /// Records that `bytes` bytes are done so far (a running total).
    public func update(_ bytes: Int64) {
        reporter.record(bytes, for: self)
    }

    /// Ends the step with a summary line: `verb` (past tense, "Uploaded"),
    /// the subject, the bytes with time and rate when `showBytes`, then `detail`.
    public func finish(_ verb: String, detail: String? = nil, showBytes: Bool = true) {
        guard !isFinished else { return }
        isFinished = true
        var line = "\(verb) \(subject)"
        if showBytes {
            let elapsed = ProgressReporter.now() &- started
            line += ": \(ByteCount.text(completed)) in \(ByteCount.seconds(elapsed))"
            if let rate = ByteCount.rate(completed, nanoseconds: elapsed) { line += " (\(rate))" }
            if let detail { line += ", \(detail)" }
        } else if let detail {
            line += ": \(detail)"
        }
        reporter.finished(self, line: line, verb: verb)
    }

    /// Ends the step without a summary (it failed; the error says why).
    /// Does nothing once the step has finished, so it suits a `defer`.
    public func cancel() {
        guard !isFinished else { return }
        isFinished = true
        reporter.cancelled(self)
    }

    /// The live line: "Uploading sha256:1a2b3c4d5e6f  1.2 MB / 4.5 MB  19.3 MB/s".
    func liveLine(now: UInt64) -> String {
        var line = "\(verb) \(subject)  \(ByteCount.text(completed))"
        if let total { line += " / \(ByteCount.text(total))" }
        if let rate = ByteCount.rate(completed, nanoseconds: now &- started) { line += "  \(rate)" }
        return line
    }
}

/// Byte counts, durations and rates as progress lines show them.
public enum ByteCount {
    /// `512 B`, `12.3 kB`, `4.5 MB`, `1.2 GB` (decimal units, one decimal).
    public static func text(_ bytes: Int64) -> String {
        let units = ["kB", "MB", "GB", "TB"]
        guard bytes >= 1000 else { return "\(bytes) B" }
        var scale: Int64 = 1000
        var unit = 0
        while unit < units.count - 1, bytes >= scale * 1000 {
            scale *= 1000
            unit += 1
        }
        let tenths = (bytes * 10 + scale / 2) / scale
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `0.3s`.
    static func seconds(_ nanoseconds: UInt64) -> String {
        let tenths = (nanoseconds + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// `19.3 MB/s`, or nil before a millisecond has passed.
    static func rate(_ bytes: Int64, nanoseconds: UInt64) -> String? {
        guard nanoseconds >= 1_000_000, bytes > 0 else { return nil }
        let perSecond = Double(bytes) * 1e9 / Double(nanoseconds)
        return text(Int64(perSecond)) + "/s"
    }
}
