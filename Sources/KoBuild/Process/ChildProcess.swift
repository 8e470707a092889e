import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of a child process that ran to completion.
public struct ChildProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorText: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs a program and collects what it prints.
///
/// Secrets are never passed as arguments: callers that must hand one over write
/// it to `input`. The environment is given whole so that tests and builds can
/// say exactly what the child sees.
///
/// Children start with `posix_spawn` and are reaped with `waitpid`: Foundation's
/// `Process.waitUntilExit` polls a run loop every 50 ms, which every `go list`,
/// `go build` and `go version` of a build would pay.
public enum ChildProcess {
    /// Runs `executable` (a path, or a name looked up on the given PATH) with
    /// `arguments`, waiting for it to exit. A child killed by a signal has
    /// status 128 + the signal number, as a shell reports it.
    public static func run(_ executable: String, _ arguments: [String],
                           environment: [String: String],
                           directory: String? = nil,
                           input: [UInt8]? = nil) throws -> ChildProcessResult {
        guard let path = resolve(executable, path: environment["PATH"]) else {
            throw BuildError.toolNotFound(executable)
        }
        let output = try PipePair(executable), errors = try PipePair(executable), stdin = try PipePair(executable)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        if let directory {
            guard let addChdir = addChdirAction else {
                throw BuildError.toolFailed(executable, "cannot start it in \(directory): this C library has no "
                    + "posix_spawn_file_actions_addchdir_np (glibc 2.29 or later is needed)")
            }
            _ = directory.withCString { addChdir(&actions, $0) }
        }

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        // The child holds its own copies now.
        output.closeWrite()
        errors.closeWrite()
        stdin.closeRead()
        guard spawned == 0 else {
            throw BuildError.toolFailed(executable, "could not start: \(String(cString: strerror(spawned)))")
        }

        // A child that exits without reading its input must not kill us with SIGPIPE.
        if let input, !input.isEmpty { signal(SIGPIPE, SIG_IGN) }
        var collected = Collected()
        collected.pump(input: input ?? [], stdin: stdin, output: output, errors: errors)
        return ChildProcessResult(status: waitForExit(pid), standardOutput: collected.output,
                                  standardError: collected.errors)
    }

    /// The absolute path of `name` on `path`, or `name` itself when it has a slash.
    public static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    // MARK: - Private

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?,
                                                 UnsafePointer<CChar>?) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's
    /// Glibc module does not declare.
    private static let addChdirAction: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// What the child printed on stdout and stderr.
    private struct Collected {
        var output: [UInt8] = []
        var errors: [UInt8] = []

        /// Feeds `input` to the child and drains both of its outputs at
        /// once, so that a child filling one pipe never waits on us.
        mutating func pump(input: [UInt8], stdin: PipePair, output: PipePair, errors: PipePair) {
            var written = 0
            if input.isEmpty { stdin.closeWrite() }
            var open = (output: true, errors: true)
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while open.output || open.errors || stdin.writeOpen {
                var fds = [pollfd(fd: open.output ? output.read : -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: open.errors ? errors.read : -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: stdin.writeOpen ? stdin.write : -1, events: Int16(POLLOUT), revents: 0)]
                if poll(&fds, nfds_t(fds.count), -1) < 0 {
                    if errno == EINTR { continue }
                    break
                }
                if fds[2].revents != 0 {
                    let count = input[written...].withUnsafeBytes { Glibc.write(stdin.write, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if count < 0 && errno != EINTR && errno != EAGAIN || written == input.count { stdin.closeWrite() }
                }
                if fds[0].revents != 0 { open.output = Self.drain(output.read, into: &self.output, buffer: &buffer) }
                if fds[1].revents != 0 { open.errors = Self.drain(errors.read, into: &self.errors, buffer: &buffer) }
            }
            stdin.closeWrite()
        }

        /// Reads what is there; false at end of file.
        static func drain(_ fd: Int32, into bytes: inout [UInt8], buffer: inout [UInt8]) -> Bool {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[0..<count]
                return true
            }
            return count < 0 && (errno == EINTR || errno == EAGAIN)
        }
    }

    /// A pipe whose ends close once, when asked or when it goes away. Our
    /// ends are close-on-exec, so no other child inherits them.
    private final class PipePair {
        private(set) var read: Int32 = -1
        private(set) var write: Int32 = -1

        init(_ executable: String) throws {
            var fds: [Int32] = [-1, -1]
            guard let makePipe = PipePair.pipe2, makePipe(&fds, O_CLOEXEC) == 0 else {
                throw BuildError.toolFailed(executable, "could not create a pipe: \(String(cString: strerror(errno)))")
            }
            (read, write) = (fds[0], fds[1])
        }

        deinit {
            closeRead()
            closeWrite()
        }

        var writeOpen: Bool { write >= 0 }

        /// glibc's `pipe2`, which Swift's Glibc module does not declare: the
        /// ends must be close-on-exec from the start, or a child spawned by
        /// another thread meanwhile would hold them open.
        static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32).self)
        }()

        func closeRead() {
            if read >= 0 { close(read) }
            read = -1
        }

        func closeWrite() {
            if write >= 0 { close(write) }
            write = -1
        }
    }
}
