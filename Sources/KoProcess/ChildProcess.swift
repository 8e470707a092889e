#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with bytes on its stdin, collecting stdout
/// and stderr, and optionally kills it when a time limit passes.
///
/// Built on `posix_spawn` and `poll` only (no Foundation), so the credential
/// helper, which runs other helpers, starts fast. Secrets never go in
/// `arguments`: hand them over in `input`.
public struct ChildProcess: Sendable {
    /// What a finished child left behind.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended the child.
        public var status: Int32
        public var standardOutput: [UInt8]
        public var standardError: [UInt8]

        public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// Why a child could not be run to completion.
    public enum Failure: Error, CustomStringConvertible {
        /// The program could not be started; the reason is the system's.
        case spawn(String)
        /// The time limit passed; the child was killed.
        case timedOut

        public var description: String {
            switch self {
            case let .spawn(reason): return "could not start it: \(reason)"
            case .timedOut: return "it did not finish in time and was stopped"
            }
        }
    }

    /// The program's path (see `resolve(_:searchPath:)` for names).
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment; nil passes ours on.
    public var environment: [String: String]?
    /// The child's working directory; nil keeps ours.
    public var directory: String?

    public init(executable: String, arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
    }

    /// Runs the program and waits for it to exit.
    ///
    /// - Parameters:
    ///   - input: written to the child's stdin, which is then closed.
    ///   - timeout: seconds the child may take before it is killed; nil waits
    ///     as long as it takes (a `go build` may take minutes).
    ///   - outputLimit: bytes kept of stdout and of stderr each; the rest is
    ///     read and dropped, so a chatty child never blocks. nil keeps all.
    public func run(input: [UInt8] = [], timeout: Double? = nil, outputLimit: Int? = nil) throws -> Outcome {
        // Socket pairs rather than pipes: they can be created close-on-exec
        // atomically, so a concurrent spawn never inherits them, and input
        // sent with MSG_NOSIGNAL cannot kill us with SIGPIPE when the child
        // exits without reading it.
        var inputPair: [Int32] = [-1, -1]
        var outputPair: [Int32] = [-1, -1]
        var errorPair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &inputPair) == 0, socketpair(AF_UNIX, type, 0, &outputPair) == 0,
              socketpair(AF_UNIX, type, 0, &errorPair) == 0 else {
            let reason = Self.errorText(errno)
            for descriptor in inputPair + outputPair + errorPair where descriptor >= 0 { close(descriptor) }
            throw Failure.spawn(reason)
        }
        let pid: pid_t
        do {
            pid = try spawn(stdin: inputPair[1], stdout: outputPair[1], stderr: errorPair[1])
        } catch {
            for descriptor in inputPair + outputPair + errorPair { close(descriptor) }
            throw error
        }
        close(inputPair[1])
        close(outputPair[1])
        close(errorPair[1])
        defer {
            close(outputPair[0])
            close(errorPair[0])
        }
        var exchange = ChildProcessExchange(input: input, inputSocket: inputPair[0], output: outputPair[0],
                                            error: errorPair[0], outputLimit: outputLimit)
        let finished = exchange.run(timeout: timeout)
        if !finished { kill(pid, SIGKILL) }
        let status = Self.waitForExit(pid)
        guard finished else { throw Failure.timedOut }
        return Outcome(status: status, standardOutput: exchange.outputBytes, standardError: exchange.errorBytes)
    }

    // MARK: - Finding programs

    /// PATH when the environment has none.
    public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The path `name` runs: `name` itself when it contains a slash (and is
    /// an executable file), else the first executable regular file called
    /// `name` in an absolute directory of `searchPath` (nil: the default).
    ///
    /// Relative and empty entries are skipped, as Go's `os/exec` refuses
    /// them: a program is never picked up from the current directory.
    public static func resolve(_ name: String, searchPath: String?) -> String? {
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        for directory in (searchPath ?? defaultSearchPath).split(separator: ":") where directory.hasPrefix("/") {
            let candidate = directory + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }

    // MARK: - Spawning

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Descriptors others opened without close-on-exec stay out of the child.
        _ = SpawnExtensions.addCloseFrom?(&actions, 3)
        if let directory {
            guard let addChdir = SpawnExtensions.addChdir else {
                throw Failure.spawn("this C library cannot start a program in another directory")
            }
            let result = addChdir(&actions, directory)
            guard result == 0 else { throw Failure.spawn(Self.errorText(result)) }
        }

        // The child starts with no blocked signals and default handlers, even
        // when we run on a thread that blocks signals or ignore SIGPIPE.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { variables in
            variables.map { strdup($0.key + "=" + $0.value) } + [nil]
        }
        defer { for pointer in envp ?? [] { free(pointer) } }
        var pid: pid_t = 0
        var result: Int32 = 0
        for attempt in 0..<5 {
            result = argv.withUnsafeBufferPointer { buffer -> Int32 in
                guard let arguments = buffer.baseAddress else { return EINVAL }
                guard let envp else {
                    return posix_spawn(&pid, executable, &actions, &attributes, arguments, environ)
                }
                return envp.withUnsafeBufferPointer { variables in
                    posix_spawn(&pid, executable, &actions, &attributes, arguments, variables.baseAddress)
                }
            }
            // ETXTBSY: a program written a moment ago is still open for
            // writing in a process forked meanwhile; it goes away at its exec.
            guard result == ETXTBSY else { break }
            usleep(UInt32(10_000 << attempt))
        }
        guard result == 0 else { throw Failure.spawn("\(executable): \(Self.errorText(result))") }
        return pid
    }

    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `..._addclosefrom_np`
/// (2.34), which its headers declare only for `_GNU_SOURCE`, so Swift cannot
/// import them; looked up once by name instead.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?,
                                         UnsafePointer<CChar>?) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        // RTLD_DEFAULT is a null handle in glibc.
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
