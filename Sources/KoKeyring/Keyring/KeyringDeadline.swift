import CSecret
import Dispatch

/// A `GCancellable` that cancels itself when a time limit passes, so that no
/// libsecret call (a D-Bus call, an unlock prompt) can block past it.
final class KeyringDeadline {
    /// Holds the cancellable for whoever outlives the other: the deadline or
    /// the timer that fires it.
    private final class Token: @unchecked Sendable {
        let cancellable: UnsafeMutablePointer<GCancellable>

        init() { cancellable = g_cancellable_new() }
        deinit { g_object_unref(cancellable) }
    }

    let seconds: Double
    private let token = Token()
    private let timer: DispatchWorkItem

    /// Starts the clock.
    init(seconds: Double) {
        self.seconds = seconds
        let token = self.token
        timer = DispatchWorkItem { g_cancellable_cancel(token.cancellable) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
    }

    deinit { timer.cancel() }

    var cancellable: UnsafeMutablePointer<GCancellable> { token.cancellable }

    /// True once the time limit passed.
    var expired: Bool { g_cancellable_is_cancelled(token.cancellable) != 0 }
}
