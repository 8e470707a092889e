import Foundation

/// The temporary `docker save` tarball an engine or kind loads from.
enum DaemonArchive {
    /// Writes `entries` to a fresh file in `directory` (default `$TMPDIR`
    /// or `/tmp`), hands `body` its path and size, and removes it after.
    static func withTarball(of entries: [DockerTarball.Entry], in directory: String?,
                            _ body: (String, Int64) throws -> Void) throws {
        let base = directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/tmp"
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let path = "\(base)/ko-load-\(getpid())-\(nonce).tar"
        defer { unlink(path) }
        try DockerTarball.write(entries, to: path)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LayerError.readFailed(path: path, reason: LayerError.errnoText())
        }
        try body(path, Int64(info.st_size))
    }
}
