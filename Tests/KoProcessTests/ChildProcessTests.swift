import Foundation
import KoProcess
import Testing
import TestSupport

/// Running real programs: streams, status, input, limits, directories,
/// environments, and finding programs on a PATH.
struct ChildProcessTests {
    private func shell(_ script: String, environment: [String: String]? = nil,
                       directory: String? = nil) -> ChildProcess {
        ChildProcess(executable: "/bin/sh", arguments: ["-c", script], environment: environment,
                     directory: directory)
    }

    @Test func stdoutStderrAndStatusComeBackSeparately() throws {
        let outcome = try shell("printf out; printf err >&2; exit 3").run()
        #expect(outcome.outputText == "out")
        #expect(outcome.errorText == "err")
        #expect(outcome.status == 3)
    }

    @Test func aSignalEndsWithStatus128PlusItsNumber() throws {
        #expect(try shell("kill -TERM $$").run().status == 128 + SIGTERM)
    }

    @Test func largeInputAndOutputFlowAtOnceWithoutBlocking() throws {
        let input = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let outcome = try ChildProcess(executable: "/bin/cat", arguments: []).run(input: input)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == input)
    }

    @Test func aChildThatIgnoresItsInputDoesNotHurtUs() throws {
        let input = [UInt8](repeating: 0x41, count: 4 << 20)
        let outcome = try shell("exit 0").run(input: input)
        #expect(outcome.status == 0)
    }

    @Test func outputBeyondTheLimitIsDropped() throws {
        let outcome = try shell("head -c 300000 /dev/zero; head -c 5000 /dev/zero >&2").run(outputLimit: 1000)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == [UInt8](repeating: 0, count: 1000))
        #expect(outcome.standardError.count == 1000)
    }

    @Test func aChildPastItsTimeLimitIsKilled() throws {
        let directory = try TemporaryDirectory("ko-process")
        let pidFile = directory.path + "/pid"
        #expect {
            try shell("echo $$ > '\(pidFile)'; exec sleep 600").run(timeout: 0.5)
        } throws: { error in
            guard case ChildProcess.Failure.timedOut = error else { return false }
            return true
        }
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) is still there")
    }

    @Test func theChildRunsInTheDirectoryAndEnvironmentGiven() throws {
        let directory = try TemporaryDirectory("ko-process")
        let outcome = try shell("pwd; env", environment: ["ONLY": "this"], directory: directory.path).run()
        let expectedDirectory = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        let lines = outcome.outputText.split(separator: "\n").map(String.init)
        #expect(lines.first == expectedDirectory)
        #expect(lines.contains("ONLY=this"))
        #expect(!lines.contains { $0.hasPrefix("HOME=") })

        let inherited = try shell("echo \"$PATH\"").run()
        #expect(inherited.outputText == (ProcessInfo.processInfo.environment["PATH"] ?? "") + "\n")
    }

    @Test func ourOtherDescriptorsStayOutOfTheChild() throws {
        let descriptor = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        try #require(descriptor >= 3)
        defer { close(descriptor) }
        let outcome = try shell("ls /proc/$$/fd").run()
        let open = outcome.outputText.split(separator: "\n").compactMap { Int32($0) }
        #expect(open.contains(0) && open.contains(1) && open.contains(2))
        #expect(!open.contains(descriptor), "the child inherited descriptor \(descriptor): \(open)")
    }

    @Test func aProgramThatCannotStartIsASpawnFailure() throws {
        #expect {
            try ChildProcess(executable: "/nonexistent/tool", arguments: []).run()
        } throws: { error in
            guard case let ChildProcess.Failure.spawn(reason) = error else { return false }
            return reason.contains("/nonexistent/tool") && reason.contains("No such file")
        }
        let directory = try TemporaryDirectory("ko-process")
        #expect(throws: ChildProcess.Failure.self) {
            try shell("true", directory: directory.path + "/missing").run()
        }
    }

    // MARK: - Finding programs

    @Test func programsAreFoundOnlyInAbsoluteDirectoriesOfThePath() throws {
        let root = try TemporaryDirectory("ko-process-path")
        let first = root.path + "/first", second = root.path + "/second"
        try root.write("first/tool/keep", "a directory named like the tool")
        try root.write("first/plain", "not executable", mode: 0o644)
        let tool = try root.write("second/tool", "#!/bin/sh\n", mode: 0o755)
        let plain = try root.write("second/plain", "#!/bin/sh\n", mode: 0o755)
        try root.write("relative/here", "#!/bin/sh\n", mode: 0o755)

        let path = "\(first)::\(second)"
        #expect(ChildProcess.resolve("tool", searchPath: path) == tool)
        #expect(ChildProcess.resolve("plain", searchPath: path) == plain)
        #expect(ChildProcess.resolve("missing", searchPath: path) == nil)
        #expect(ChildProcess.resolve(tool, searchPath: "") == tool)
        #expect(ChildProcess.resolve(first + "/plain", searchPath: path) == nil)
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + root.path.dropFirst() + "/relative"
        #expect(FileManager.default.isExecutableFile(atPath: relative + "/here"))
        #expect(ChildProcess.resolve("here", searchPath: root.path + "/relative") == root.path + "/relative/here")
        #expect(ChildProcess.resolve("here", searchPath: relative) == nil)
        #expect(ChildProcess.resolve("sh", searchPath: nil) == "/usr/bin/sh")
    }
}
