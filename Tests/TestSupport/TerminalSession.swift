import Foundation

/// A program on a real terminal: a private tmux server running one window,
/// for tests that must see what a person sees (live progress lines, shell
/// completion on Tab). Everything the terminal receives is also recorded
/// raw, escape sequences included.
public final class TerminalSession: @unchecked Sendable {
    public let directory: TemporaryDirectory
    private let socket: String
    private let environment: [String: String]
    /// The tmux server's process, killed outright if `kill-server` leaves it running.
    private var serverPID: pid_t = 0

    /// Where the raw bytes written to the terminal are recorded.
    public var rawLogPath: String { directory.path + "/terminal.raw" }

    /// Starts `command` (run by sh) on a `columns` x `rows` terminal with
    /// `environment`, recording its output from the first byte.
    public init(_ command: String, environment: [String: String], columns: Int = 160, rows: Int = 50) throws {
        directory = try TemporaryDirectory("ko-tty")
        socket = directory.path + "/tmux.sock"
        var environment = environment
        environment.removeValue(forKey: "TMUX")
        self.environment = environment
        // The command waits for a line on its terminal, so that the recorder
        // is attached before it writes anything.
        let gated = "read -r _; \(command)"
        // The server outlives this call and keeps every descriptor it was
        // started with, including the one Foundation's Process watches to
        // learn that a child ended: started straight from ProcessRunner,
        // that call would wait for the server to quit. Python's subprocess
        // closes all other descriptors before it runs tmux.
        let launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL, "
            + "stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], 'a')))"
        let log = directory.path + "/tmux.log"
        let tmuxStart = ["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "test",
                         "-x", "\(columns)", "-y", "\(rows)", "sh", "-c", gated]
        let started = try ProcessRunner.run("python3", ["-c", launcher, log] + tmuxStart, environment: environment)
        guard started.succeeded else {
            throw TestSupportError("tmux did not start: "
                                   + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? started.errorOutput))
        }
        do {
            serverPID = pid_t(try tmux(["display-message", "-p", "#{pid}"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            try tmux(["set-option", "-t", "test", "remain-on-exit", "on"])
            try tmux(["pipe-pane", "-t", "test", "-o", "cat >> '\(rawLogPath)'"])
            try tmux(["send-keys", "-t", "test", "Enter"])
        } catch {
            // The server is already running: never leave it behind.
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Types `keys` (tmux key names: "Tab", "Enter", or literal text with `literal`).
    public func send(_ keys: String, literal: Bool = false) throws {
        try tmux(["send-keys", "-t", "test"] + (literal ? ["-l", keys] : [keys]))
    }

    /// The visible screen as text, wrapped lines joined.
    public func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-J", "-t", "test"]).output
    }

    /// Everything written to the terminal so far.
    public func rawOutput() -> [UInt8] {
        (FileManager.default.contents(atPath: rawLogPath)).map { [UInt8]($0) } ?? []
    }

    /// Polls until `condition` holds, failing after `seconds` (a bound for
    /// a hung program, not a measurement).
    public func wait(upTo seconds: Double = 300, for what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSupportError("the terminal never showed \(what); screen:\n\((try? screen()) ?? "")")
    }

    /// Ends the tmux server and the program. tmux 3.3 answers `kill-server`
    /// but its server can stay behind with the pane's pipe (the raw
    /// recording) open, so the pipe is closed first and a server still
    /// alive a moment later is killed.
    public func stop() {
        _ = try? ProcessRunner.run("tmux", ["-S", socket, "pipe-pane", "-t", "test"], environment: environment)
        _ = try? ProcessRunner.run("tmux", ["-S", socket, "kill-server"], environment: environment)
        guard serverPID > 0 else { return }
        for _ in 0..<20 where kill(serverPID, 0) == 0 { Thread.sleep(forTimeInterval: 0.05) }
        if kill(serverPID, 0) == 0 { kill(serverPID, SIGKILL) }
        serverPID = 0
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.check("tmux", ["-S", socket] + arguments, environment: environment)
    }
}
