#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for writing, closed when the value goes away.
final class OutputFile {
    let path: String
    private var descriptor: Int32

    /// Creates (or truncates) `path` with `mode`.
    init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw LayerError.cannotOpen(path: path, reason: LayerError.errnoText())
        }
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let count = Glibc.write(descriptor, base, remaining)
            if count < 0 {
                if errno == EINTR { continue }
                throw LayerError.writeFailed(path: path, reason: LayerError.errnoText())
            }
            remaining -= count
            base += count
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes to disk and closes; errors from close are reported.
    func close() throws {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        guard result == 0 else {
            throw LayerError.writeFailed(path: path, reason: LayerError.errnoText())
        }
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, so a
    /// reader never sees half a file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let file = try OutputFile(path: temporary)
        try file.write(bytes)
        try file.close()
        try rename(temporary, to: path)
    }

    /// Renames `source` to `destination`, replacing it.
    static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            let reason = LayerError.errnoText()
            unlink(source)
            throw LayerError.writeFailed(path: destination, reason: reason)
        }
    }
}
