#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on a lock file, released when the value is dropped.
///
/// Each `FileLock` opens the file itself, so two locks in one process exclude
/// each other just like two processes do.
final class FileLock {
    private let descriptor: Int32

    /// Waits up to `timeout` seconds for the lock on `path`, creating the file
    /// (mode 0600) when needed.
    init(path: String, timeout: Int = 60) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigFileError.io(path: path, operation: "open the lock file", reason: lastErrorText())
        }
        var waited = 0
        var pause = 2_000
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw ConfigFileError.io(path: path, operation: "lock", reason: errorText(code))
            }
            guard waited < timeout * 1_000_000 else {
                close(descriptor)
                throw ConfigFileError.lockTimeout(path: path, seconds: timeout)
            }
            usleep(UInt32(pause))
            waited += pause
            pause = min(pause * 2, 100_000)
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
