import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs independent pieces of work on at most `width` threads at once and
/// returns their results in input order; the first failure (in input order)
/// is thrown after every piece has finished.
///
/// The threads are our own, joined before returning, rather than Dispatch's
/// pool: that one runs no more at once than there are cores, and registry
/// requests spend their time waiting.
enum ParallelWork {
    static func map<Item, Result>(_ items: [Item], width: Int,
                                  _ body: (Item) throws -> Result) throws -> [Result] {
        guard items.count > 1, width > 1 else { return try items.map(body) }
        let outcomes = OutcomeList<Result>(count: items.count)
        try withoutActuallyEscaping(body) { body in
            // Each worker takes the next unclaimed item until none are left, so
            // `width` bounds how many run at once whatever their durations.
            try runOnThreads(min(width, items.count)) {
                while let index = outcomes.claim() {
                    outcomes.set(index, Swift.Result { try body(items[index]) })
                }
            }
        }
        return try outcomes.results()
    }

    /// Runs `first` on this thread and `second` on another, at once, and
    /// returns both results. When both fail, `first`'s error is thrown, so
    /// that the step a user reads about first is the one they ran first.
    static func both<First, Second>(_ first: () throws -> First,
                                    _ second: () throws -> Second) throws -> (First, Second) {
        let secondOutcome = OutcomeList<Second>(count: 1)
        var firstOutcome: Swift.Result<First, Error>?
        try withoutActuallyEscaping(second) { second in
            let thread = try JoinableThread { secondOutcome.set(0, Swift.Result { try second() }) }
            firstOutcome = Swift.Result { try first() }
            thread.join()
        }
        guard let firstOutcome else { throw BuildError.toolFailed("ko", "a parallel build step did not run") }
        let value = try firstOutcome.get()
        return (value, try secondOutcome.results()[0])
    }

    /// Runs `work` on `count` threads (this one and `count - 1` more) and
    /// returns when all have finished and let go of it.
    private static func runOnThreads(_ count: Int, _ work: @escaping () -> Void) throws {
        var threads: [JoinableThread] = []
        defer { threads.forEach { $0.join() } }
        for _ in 1..<count { threads.append(try JoinableThread(work)) }
        work()
    }
}

/// Results filled in by several threads, and the next item to claim.
private final class OutcomeList<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Swift.Result<Value, Error>?]
    private var next = 0

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.withLock {
            guard next < outcomes.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func set(_ index: Int, _ outcome: Swift.Result<Value, Error>) {
        lock.withLock { outcomes[index] = outcome }
    }

    /// Every value in order, or the first failure.
    func results() throws -> [Value] {
        try lock.withLock { outcomes }.map { outcome in
            guard let outcome else { throw BuildError.toolFailed("ko", "a parallel build step did not run") }
            return try outcome.get()
        }
    }
}

/// A POSIX thread running one closure; `join` waits until it has ended and
/// released the closure (which Foundation's `Thread` does not promise).
private final class JoinableThread {
    private var thread = pthread_t()
    private var joined = false

    init(_ work: @escaping () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 4 << 20)
        let box = Unmanaged.passRetained(WorkBox(work)).toOpaque()
        let created = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let work = Unmanaged<WorkBox>.fromOpaque(context).takeRetainedValue()
            work.run()
            return nil
        }, box)
        guard created == 0 else {
            Unmanaged<WorkBox>.fromOpaque(box).release()
            joined = true
            throw BuildError.toolFailed("ko", "cannot start a thread: \(String(cString: strerror(created)))")
        }
    }

    deinit { join() }

    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    private final class WorkBox {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
