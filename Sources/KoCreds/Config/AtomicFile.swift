#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and crash-safe replacement, for small files like config.json.
enum AtomicFile {
    /// Files larger than this are refused: a config file is a few kilobytes.
    static let maximumSize = 16 << 20

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw ConfigFileError.io(path: path, operation: "open", reason: lastErrorText())
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigFileError.io(path: path, operation: "read", reason: lastErrorText())
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize {
                throw ConfigFileError.io(path: path, operation: "read", reason: "file is larger than 16 MiB")
            }
        }
    }

    /// The path a write to `path` lands on: a symlink is followed (even a
    /// dangling one), as the Docker CLI does, so the link itself survives.
    static func resolvedTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        return current
    }

    /// The directory part of a path (`.` for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Creates `path` and missing parents with mode 0700.
    static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw ConfigFileError.io(path: path, operation: "use directory", reason: "not a directory")
            }
            return
        }
        let parent = directory(of: path)
        if parent != path && parent != "/" && parent != "." { try makeDirectories(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw ConfigFileError.io(path: path, operation: "create directory", reason: lastErrorText())
        }
    }

    /// Replaces `path` with `bytes`: a temporary file in the same directory is
    /// written, synced and renamed over it, so readers see the old or the new
    /// file, never a torn one. An existing file's mode (and, for root, owner)
    /// is kept; a new file gets mode 0600.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let directoryPath = directory(of: path)
        try makeDirectories(directoryPath)
        let baseName = path.split(separator: "/").last.map(String.init) ?? "config.json"
        var template = Array((directoryPath + "/." + baseName + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard descriptor >= 0, fcntl(descriptor, F_SETFD, FD_CLOEXEC) == 0 else {
            throw ConfigFileError.io(path: directoryPath, operation: "create a temporary file in",
                                     reason: lastErrorText())
        }
        let temporary = String(cString: template)
        do {
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, path: temporary)
            try copyOwnership(from: path, to: descriptor, temporary: temporary)
            guard fsync(descriptor) == 0 else {
                throw ConfigFileError.io(path: temporary, operation: "sync", reason: lastErrorText())
            }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = lastErrorText()
            unlink(temporary)
            throw ConfigFileError.io(path: path, operation: "replace", reason: reason)
        }
        syncDirectory(directoryPath)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ConfigFileError.io(path: path, operation: "write", reason: lastErrorText())
            }
            offset += written
        }
    }

    private static func copyOwnership(from path: String, to descriptor: Int32, temporary: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        guard fchmod(descriptor, info.st_mode & 0o7777) == 0 else {
            throw ConfigFileError.io(path: temporary, operation: "set the mode of", reason: lastErrorText())
        }
        if geteuid() == 0 && (info.st_uid != 0 || info.st_gid != 0) {
            // Best effort, like the Docker CLI: `sudo ko login` must not leave
            // a root-owned config in the user's home.
            _ = fchown(descriptor, info.st_uid, info.st_gid)
        }
    }

    /// Makes the rename durable; failure only weakens crash safety.
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
