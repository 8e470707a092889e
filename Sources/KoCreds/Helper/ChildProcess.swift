#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with bytes on its stdin, collecting stdout and
/// stderr, and kills it when a time limit passes.
///
/// Input goes through a socket so that a child that exits without reading it
/// cannot kill us with SIGPIPE (`send` with `MSG_NOSIGNAL`).
struct ChildProcess {
    /// What a finished child left behind.
    struct Outcome {
        var status: Int32
        var standardOutput: [UInt8]
        var standardError: [UInt8]
    }

    /// Why a child could not be run to completion.
    enum Failure: Error {
        case spawn(String)
        case timedOut
    }

    /// Output beyond this is dropped: helpers answer with a few hundred bytes.
    static let outputLimit = 1 << 20

    let executable: String
    let arguments: [String]
    /// The child's environment; nil passes ours on.
    var environment: [String: String]? = nil

    /// Runs the program and waits for it, at most `timeout` seconds.
    func run(input: [UInt8], timeout: Double) throws -> Outcome {
        // Socket pairs rather than pipes: they can be created close-on-exec
        // atomically, so a concurrent spawn never inherits them.
        var inputPair: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &inputPair) == 0, socketpair(AF_UNIX, type, 0, &outputPipe) == 0,
              socketpair(AF_UNIX, type, 0, &errorPipe) == 0 else {
            let reason = lastErrorText()
            for descriptor in inputPair + outputPipe + errorPipe where descriptor >= 0 { close(descriptor) }
            throw Failure.spawn(reason)
        }
        let pid: pid_t
        do {
            pid = try spawn(stdin: inputPair[1], stdout: outputPipe[1], stderr: errorPipe[1])
        } catch {
            for descriptor in inputPair + outputPipe + errorPipe { close(descriptor) }
            throw error
        }
        close(inputPair[1])
        close(outputPipe[1])
        close(errorPipe[1])
        defer {
            close(outputPipe[0])
            close(errorPipe[0])
        }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        let finished = exchange(input: input, inputSocket: inputPair[0], output: outputPipe[0],
                                error: errorPipe[0], into: &output, &errors, timeout: timeout)
        if !finished { kill(pid, SIGKILL) }
        let status = waitForExit(pid)
        guard finished else { throw Failure.timedOut }
        return Outcome(status: status, standardOutput: output, standardError: errors)
    }

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        // The helper starts with no blocked signals and default handlers, even
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
                guard let envp else { return posix_spawn(&pid, executable, &actions, &attributes, arguments, environ) }
                return envp.withUnsafeBufferPointer { variables in
                    posix_spawn(&pid, executable, &actions, &attributes, arguments, variables.baseAddress)
                }
            }
            // ETXTBSY: a program written a moment ago is still open for
            // writing in a process forked meanwhile; it goes away at its exec.
            guard result == ETXTBSY else { break }
            usleep(UInt32(10_000 << attempt))
        }
        guard result == 0 else { throw Failure.spawn(errorText(result)) }
        return pid
    }

    /// Feeds the input and drains both outputs until the child closes them;
    /// false when the deadline passed first.
    private func exchange(input: [UInt8], inputSocket: Int32, output: Int32, error: Int32,
                          into outputBytes: inout [UInt8], _ errorBytes: inout [UInt8],
                          timeout: Double) -> Bool {
        let deadline = monotonicSeconds() + timeout
        var inputSocket = inputSocket
        var inputOffset = 0
        var open: [Int32] = [output, error]
        if input.isEmpty {
            close(inputSocket)
            inputSocket = -1
        }
        defer { if inputSocket >= 0 { close(inputSocket) } }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !open.isEmpty {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { return false }
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inputSocket >= 0 { descriptors.append(pollfd(fd: inputSocket, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(min(remaining * 1000 + 1, 60_000)))
            if ready < 0 && errno != EINTR { return false }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == inputSocket {
                    let sent = input[inputOffset...].withUnsafeBytes {
                        send(inputSocket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                    if sent > 0 { inputOffset += sent }
                    if sent < 0 && errno != EINTR && errno != EAGAIN || inputOffset >= input.count {
                        close(inputSocket)
                        inputSocket = -1
                    }
                    continue
                }
                let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == output {
                        if outputBytes.count < ChildProcess.outputLimit { outputBytes += chunk[0..<count] }
                    } else if errorBytes.count < ChildProcess.outputLimit {
                        errorBytes += chunk[0..<count]
                    }
                } else if count == 0 || errno != EINTR && errno != EAGAIN {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return true
    }

    private func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }
}

/// Seconds on the monotonic clock, for deadlines unaffected by clock changes.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
