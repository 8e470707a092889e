import Foundation

/// Runs independent pieces of work on at most `width` threads at once and
/// returns their results in input order; the first failure (in input order)
/// is thrown after every piece has finished.
enum ParallelWork {
    static func map<Item, Result>(_ items: [Item], width: Int,
                                  _ body: (Item) throws -> Result) throws -> [Result] {
        guard items.count > 1, width > 1 else { return try items.map(body) }
        var outcomes = [Swift.Result<Result, Error>?](repeating: nil, count: items.count)
        let lock = NSLock()
        var next = 0
        // Each worker takes the next unclaimed item until none are left, so
        // `width` bounds how many run at once whatever their durations.
        DispatchQueue.concurrentPerform(iterations: min(width, items.count)) { _ in
            while true {
                let index: Int = lock.withLock {
                    defer { next += 1 }
                    return next
                }
                guard index < items.count else { return }
                let outcome = Swift.Result { try body(items[index]) }
                lock.withLock { outcomes[index] = outcome }
            }
        }
        return try outcomes.map { outcome in
            guard let outcome else { throw BuildError.toolFailed("ko", "a parallel build step did not run") }
            return try outcome.get()
        }
    }
}
