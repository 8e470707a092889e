import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Build outputs kept between runs: `go build -o` into the same file again
/// finds its previous output and, when nothing changed, does not even link.
///
/// Layout: `bin/<key>/` (one directory per import path, platform and build
/// settings, named by the sha256 of `identity`), `bin/<key>.lock` (held
/// while a build writes or copies its output) and `tmp/` (Go's GOTMPDIR, so
/// that `go build` moves its output into place with a rename rather than
/// rewriting the file in place).
// FIXME: like layers, outputs are never evicted; one binary per import path,
// platform and setting stays until the user deletes the cache.
extension LayerCache {
    /// The directory kept for the build output described by `identity`,
    /// created (mode 0700) if missing.
    public func outputDirectory(for identity: [String]) throws -> String {
        let key = hexString(MessageDigest.sha256(of: Array((["ko-output 1"] + identity).joined(separator: "\n").utf8)))
        let path = directory + "/bin/" + key
        try LayerBuilder.makeDirectory(path, mode: 0o700)
        return path
    }

    /// A scratch directory on the cache's file system, for tools whose
    /// temporary files are renamed into `outputDirectory(for:)`.
    public func temporaryDirectory() throws -> String {
        let path = directory + "/tmp"
        try LayerBuilder.makeDirectory(path, mode: 0o700)
        return path
    }

    /// Holds an exclusive lock on `outputDirectory` until the returned value
    /// goes away, so that two builds of the same output never interleave.
    public func lockOutput(_ outputDirectory: String) throws -> CacheFileLock {
        try CacheFileLock(path: outputDirectory + ".lock")
    }

    /// Makes `destination` a file with the content of `source`: a hard link
    /// when `linkAllowed` and both are on one file system, else a copy.
    /// A link is only safe when whoever rewrites `source` replaces it with a
    /// rename rather than writing into it.
    public static func placeOutput(_ source: String, at destination: String, linkAllowed: Bool) throws {
        unlink(destination)
        if linkAllowed, link(source, destination) == 0 { return }
        var info = stat()
        guard stat(source, &info) == 0 else {
            throw LayerError.cannotOpen(path: source, reason: LayerError.errnoText())
        }
        try copy(source, to: destination, size: Int64(info.st_size))
        chmod(destination, info.st_mode & 0o7777)
    }
}

/// An exclusive `flock` on a file, released when the value goes away.
public final class CacheFileLock {
    private let descriptor: Int32

    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LayerError.cannotOpen(path: path, reason: LayerError.errnoText())
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = LayerError.errnoText()
                close(descriptor)
                throw LayerError.cannotOpen(path: path, reason: "cannot lock it: \(reason)")
            }
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
