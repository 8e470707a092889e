import Foundation
import Testing
import TestSupport

/// Every command that handles a password, run verbosely under `strace`, with
/// a known secret: the secret (and its Basic `user:password` base64) shows in
/// no stdout (but `get`'s answer), no stderr, no log line, no error message,
/// and in no command line or environment of any process started on the way
/// (Go, credential helpers): what `ps` would show to other users.
@Suite(.serialized)
struct LoginSecretExposureTests {
    /// Runs `executable` under `strace -f`, recording every execve of the
    /// process tree with full arguments and environments.
    static func traced(_ executable: String, _ arguments: [String], input: String? = nil,
                       directory: String? = nil, environment: [String: String],
                       log: String) throws -> ProcessResult {
        let strace = try locateStrace()
        return try ProcessRunner.run(strace, ["-f", "-qq", "-v", "-s", "1048576", "-e", "trace=execve,execveat",
                                              "-o", log, executable] + arguments,
                                     input: input.map { Array($0.utf8) }, environment: environment,
                                     directory: directory)
    }

    static func locateStrace() throws -> String {
        do {
            return try ProcessRunner.resolve("strace")
        } catch {
            throw TestSupportError("strace is needed to see child command lines: install it "
                                   + "(apt-get install strace; scripts/install-deps.sh does)")
        }
    }

    /// Every place a secret must not be, for one run.
    struct Exposure {
        var secrets: [String]
        var checked: [String] = []

        mutating func expectAbsent(_ text: String, in place: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
            checked.append(place)
            // A Bool, so that a failure does not print the text (and the secret) again.
            let shown = secrets.filter { text.contains($0) }.count
            #expect(shown == 0, "\(shown) secret(s) show in \(place)", sourceLocation: sourceLocation)
        }

        /// The execve lines (arguments and environment) of a strace log.
        mutating func expectAbsent(traceLog path: String, command: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
            let log = try String(contentsOfFile: path, encoding: .utf8)
            let execs = log.split(separator: "\n").filter { $0.contains("execve(") || $0.contains("execveat(") }
            #expect(!execs.isEmpty, "strace recorded no execve for \(command)", sourceLocation: sourceLocation)
            expectAbsent(execs.joined(separator: "\n"), in: "a process started by \(command)",
                         sourceLocation: sourceLocation)
        }
    }

    @Test func noCommandShowsTheSecretAnywhere() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let helperRegistry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let user = try #require(registry.username)
        let password = try #require(registry.password)
        let helperPassword = try #require(helperRegistry.password)
        // One registry in the keyring in-process, one through an external
        // helper, so that a child process handles a secret too.
        let machine = try LoginFixture.keyring(config: """
            {"credsStore": "ko", "credHelpers": {"\(helperRegistry.host)": "secretservice"}}
            """)
        let logs = try TemporaryDirectory("ko-strace")
        let wrong = "wrong-\(UUID().uuidString)"
        var exposure = Exposure(secrets: [password, helperPassword, wrong,
                                          Data("\(user):\(password)".utf8).base64EncodedString(),
                                          Data("\(user):\(helperPassword)".utf8).base64EncodedString(),
                                          Data("\(user):\(wrong)".utf8).base64EncodedString()])
        var step = 0
        var lastTrace = ""
        func run(_ executable: String, _ arguments: [String], input: String? = nil, directory: String? = nil,
                 adding extra: [String: String] = [:], secretOnStdout: Bool = false) throws -> ProcessResult {
            step += 1
            let log = logs.path + "/\(step).trace"
            let command = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
            let result = try Self.traced(executable, arguments, input: input, directory: directory,
                                    environment: machine.environment.merging(extra) { _, new in new }, log: log)
            if !secretOnStdout { exposure.expectAbsent(result.output, in: "stdout of \(command)") }
            exposure.expectAbsent(result.errorOutput, in: "stderr of \(command)")
            try exposure.expectAbsent(traceLog: log, command: command)
            lastTrace = try String(contentsOfFile: log, encoding: .utf8)
            return result
        }

        // Logins: in-process keyring, external helper, and a refused one.
        let login = try run(Products.ko, ["login", "-v", registry.host, "-u", user, "--password-stdin"],
                            input: password + "\n")
        #expect(login.status == 0, "\(login.errorOutput)")
        let helperLogin = try run(Products.ko, ["login", "-v", helperRegistry.host, "-u", user, "--password-stdin"],
                                  input: helperPassword + "\n")
        #expect(helperLogin.status == 0, "\(helperLogin.errorOutput)")
        // The check saw the child that got the secret on its stdin.
        #expect(lastTrace.contains(#"docker-credential-secretservice", "store"]"#))
        let refused = try run(Products.ko, ["login", "-v", helperRegistry.host, "-u", user, "--password-stdin"],
                              input: wrong)
        #expect(refused.status == 1)
        // Stored credentials checked again (the password comes from the keyring).
        let again = try run(Products.ko, ["login", "-v", registry.host])
        #expect(again.status == 0, "\(again.errorOutput)")

        // A verbose build: every HTTP exchange logged, Go run as a child.
        let module = try GoModuleFixture()
        let build = try run(Products.ko, ["build", "-v", "./cmd/greeter"], directory: module.root,
                            adding: machine.buildEnvironment(repo: "\(registry.host)/apps", base: base))
        #expect(build.status == 0, "\(build.errorOutput)")
        #expect(build.errorOutput.contains("GET"), "ko build -v logged no HTTP exchange")
        #expect(lastTrace.contains(#"go", "build""#), "the trace shows no go build")
        // The base from the keyring's registry, the push through the external helper.
        let pushToHelperRegistry = try run(
            Products.ko, ["build", "-v", "./cmd/greeter"], directory: module.root,
            adding: machine.buildEnvironment(repo: "\(helperRegistry.host)/apps", base: base))
        #expect(pushToHelperRegistry.status == 0, "\(pushToHelperRegistry.errorOutput)")
        #expect(lastTrace.contains(#"docker-credential-secretservice", "get"]"#))

        // The helper itself; `get` answers with the secret by design, on stdout only.
        let helper = Products.credentialHelper
        let stored = try run(helper, ["store"], input: """
            {"ServerURL":"\(helperRegistry.host)/extra","Username":"\(user)","Secret":"\(helperPassword)"}
            """)
        #expect(stored.status == 0, "\(stored.output)\(stored.errorOutput)")
        let got = try run(helper, ["get"], input: registry.host, secretOnStdout: true)
        #expect(got.output.contains(password))
        #expect(try run(helper, ["list"]).status == 0)
        #expect(try run(helper, ["erase"], input: "\(helperRegistry.host)/extra").status == 0)
        let storeWithoutServer = try run(helper, ["store"], input: #"{"Username":"u","Secret":"\#(wrong)"}"#)
        #expect(storeWithoutServer.status == 1)
        let malformed = try run(helper, ["store"], input: #"{"ServerURL":"x","Secret":"\#(wrong)"#)
        #expect(malformed.status == 1)

        // Logouts, through both stores.
        #expect(try run(Products.ko, ["logout", "-v", registry.host]).status == 0)
        #expect(try run(Products.ko, ["logout", "-v", helperRegistry.host]).status == 0)
        #expect(try machine.keyringItems().isEmpty)
        #expect(exposure.checked.count == step * 3 - 1)
    }
}
