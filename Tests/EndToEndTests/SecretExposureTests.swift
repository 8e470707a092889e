import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Known secrets in every source — config.json auths, the keyring, cloud
/// environment variables, token server answers — and every command run at
/// `-v`, succeeding and failing: no secret shows in any output or error, in
/// any file written while it runs (but config.json, 0600), or on any
/// process's command line. Files and command lines are watched while each
/// command runs, not only afterwards.
///
/// Prints `secret-tally: commands=N secrets=S files-watched=F command-lines=C leaks=L`.
@Suite(.serialized)
struct SecretExposureTests {
    /// Watches, while a command runs, every process's command line and every
    /// file under some directories.
    final class Watch: @unchecked Sendable {
        private let directories: [String]
        private let lock = NSLock()
        private var running = true
        private var commandLines: Set<String> = []
        /// Path → contents (each distinct version) and mode.
        private var files: [String: (versions: Set<[UInt8]>, mode: Int)] = [:]
        private var seen: [String: String] = [:]
        private let thread: Thread

        init(directories: [String]) {
            self.directories = directories
            let box = WatchLoop()
            thread = Thread { box.run() }
            box.watch = self
            thread.start()
        }

        final class WatchLoop: @unchecked Sendable {
            weak var watch: Watch?
            func run() {
                var rounds = 0
                while let watch, watch.isRunning {
                    watch.scanProcesses()
                    if rounds % 4 == 0 { watch.scanFiles() }
                    rounds += 1
                    usleep(5_000)
                }
            }
        }

        var isRunning: Bool { lock.withLock { running } }

        /// Stops watching after a last look; returns what was seen.
        func finish() -> (commandLines: Set<String>, files: [String: (versions: Set<[UInt8]>, mode: Int)]) {
            lock.withLock { running = false }
            while thread.isExecuting { usleep(1_000) }
            scanProcesses()
            scanFiles()
            return lock.withLock { (commandLines, files) }
        }

        func scanProcesses() {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
            var found: [String] = []
            for entry in entries where entry.first?.isNumber == true {
                guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
                else { continue }
                found.append(String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
            }
            lock.withLock { commandLines.formUnion(found) }
        }

        func scanFiles() {
            for directory in directories {
                guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
                while let relative = walker.nextObject() as? String {
                    let path = directory + "/" + relative
                    var info = stat()
                    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size < 512 << 10
                    else { continue }
                    let stamp = "\(info.st_size):\(info.st_mtim.tv_sec):\(info.st_mtim.tv_nsec)"
                    if lock.withLock({ seen[path] }) == stamp { continue }
                    guard let data = FileManager.default.contents(atPath: path) else { continue }
                    lock.withLock {
                        seen[path] = stamp
                        var entry = files[path] ?? (versions: [], mode: 0)
                        entry.versions.insert([UInt8](data))
                        entry.mode = Int(info.st_mode & 0o777)
                        files[path] = entry
                    }
                }
            }
        }
    }

    struct Secrets {
        var values: [String: String] = [:]  // secret → where it came from

        mutating func add(_ value: String, _ source: String) {
            guard value.count >= 8 else { return }
            values[value] = source
        }

        /// The sources of the secrets `bytes` contains.
        func found(in bytes: [UInt8]) -> [String] {
            let text = String(decoding: bytes, as: UTF8.self)
            return values.filter { text.contains($0.key) }.map(\.value).sorted()
        }
    }

    static func goEnvironment() -> [String: String] {
        var extra: [String: String] = [:]
        for name in ["GOCACHE", "GOMODCACHE", "GOPATH"] {
            if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty {
                extra[name] = value
            } else if let result = try? ProcessRunner.run("go", ["env", name]), result.status == 0 {
                extra[name] = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return extra
    }

    @Test func noCommandShowsASecretAnywhere() throws {
        let session = try KeyringSession()
        let registryA = try RegistryFixture.start(auth: .token(), faultyTokenServer: true)
        let registryB = try RegistryFixture.start(auth: .token(), faultyTokenServer: true)
        let hostile = try FaultProxy(upstreamPort: nil)
        try hostile.plan([.init(method: "GET", path: "^/v2/$", action: .respond(status: 401, headers: [
                              ("WWW-Authenticate", #"Basic realm="hostile""#)]), times: -1),
                          .init(path: "/v2/.+", action: .echoAuthorization(status: 403), times: -1)])
        let work = try TemporaryDirectory("ko-secrets")
        let temporary = work.path + "/tmp"
        let dockerConfig = work.path + "/docker"
        for directory in [temporary, dockerConfig] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let userA = try #require(registryA.username), passwordA = try #require(registryA.password)
        let userB = try #require(registryB.username), passwordB = try #require(registryB.password)
        let hostilePassword = "hostile-" + RegistryFixture.randomPassword()
        let storedPassword = "stored-" + RegistryFixture.randomPassword()

        var secrets = Secrets()
        for (user, password, source) in [(userA, passwordA, "config.json password"),
                                         (userB, passwordB, "keyring password"),
                                         ("victim", hostilePassword, "hostile registry password"),
                                         ("helper-user", storedPassword, "helper-stored password")] {
            secrets.add(password, source)
            secrets.add(Data("\(user):\(password)".utf8).base64EncodedString(), source + " (base64)")
        }
        let cloud = [
            "AWS_ACCESS_KEY_ID": "AKIA" + RegistryFixture.randomPassword().uppercased().prefix(16),
            "AWS_SECRET_ACCESS_KEY": "aws-secret-" + RegistryFixture.randomPassword(),
            "AWS_SESSION_TOKEN": "aws-session-" + RegistryFixture.randomPassword(),
            "AZURE_CLIENT_SECRET": "azure-secret-" + RegistryFixture.randomPassword(),
            "GITHUB_TOKEN": "ghp_" + RegistryFixture.randomPassword(),
            "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29." + RegistryFixture.randomPassword(),
        ]
        for (name, value) in cloud where name != "AWS_ACCESS_KEY_ID" { secrets.add(value, "environment \(name)") }

        // A's credentials in config.json auths, B's in the keyring (credHelpers "ko").
        try Data("""
            {"credHelpers": {"\(registryB.host)": "ko"},
             "auths": {"\(registryA.host)": {"auth": "\(Data("\(userA):\(passwordA)".utf8).base64EncodedString())"},
                       "\(hostile.host)": {"auth": "\(Data("victim:\(hostilePassword)".utf8).base64EncodedString())"}}}
            """.utf8).write(to: URL(fileURLWithPath: dockerConfig + "/config.json"))
        chmod(dockerConfig + "/config.json", 0o600)
        var environment = session.environment(adding: ["DOCKER_CONFIG": dockerConfig, "TMPDIR": temporary])
        environment.merge(Self.goEnvironment()) { _, new in new }
        environment.merge(cloud) { _, new in new }
        for key in ["KO_DOCKER_REPO", "KO_DEFAULTBASEIMAGE", "KO_CONFIG_PATH", "GOOS", "GOARCH"] {
            environment[key] = nil
        }
        let base = try BaseImages.seed(host: registryA.host, authFile: dockerConfig + "/config.json")
        environment["KO_DEFAULTBASEIMAGE"] = base
        let module = try GoModuleFixture()

        struct Command {
            var name: String
            var executable: String
            var arguments: [String]
            var input: String?
            var extra: [String: String] = [:]
            var succeeds: Bool
            /// `get` prints the secret on stdout by protocol.
            var stdoutMayHoldSecret = false
        }
        let commands = [
            Command(name: "ko login (wrong password)", executable: Products.ko,
                    arguments: ["login", "-v", registryB.host, "-u", userB, "--password-stdin"],
                    input: "wrong-" + passwordB, succeeds: false),
            Command(name: "ko login (keyring)", executable: Products.ko,
                    arguments: ["login", "-v", registryB.host, "-u", userB, "--password-stdin"],
                    input: passwordB, succeeds: true),
            Command(name: "ko build to A (config.json, tokens)", executable: Products.ko,
                    arguments: ["build", "-v", "./cmd/greeter"], extra: ["KO_DOCKER_REPO": "\(registryA.host)/a"],
                    succeeds: true),
            Command(name: "ko build to B (keyring, tokens, cross-registry copy)", executable: Products.ko,
                    arguments: ["build", "-v", "--bare", "./cmd/greeter"],
                    extra: ["KO_DOCKER_REPO": "\(registryB.host)/b"], succeeds: true),
            Command(name: "ko build to a registry echoing credentials", executable: Products.ko,
                    arguments: ["build", "-v", "./cmd/greeter"], extra: ["KO_DOCKER_REPO": "\(hostile.host)/x"],
                    succeeds: false),
            Command(name: "docker-credential-ko store", executable: Products.credentialHelper, arguments: ["store"],
                    input: #"{"ServerURL":"stored.example","Username":"helper-user","Secret":"\#(storedPassword)"}"#,
                    succeeds: true),
            Command(name: "docker-credential-ko get", executable: Products.credentialHelper, arguments: ["get"],
                    input: "stored.example", succeeds: true, stdoutMayHoldSecret: true),
            Command(name: "docker-credential-ko list", executable: Products.credentialHelper, arguments: ["list"],
                    succeeds: true),
            Command(name: "docker-credential-ko erase", executable: Products.credentialHelper, arguments: ["erase"],
                    input: "stored.example", succeeds: true),
            Command(name: "ko logout (keyring)", executable: Products.ko, arguments: ["logout", "-v", registryB.host],
                    succeeds: true),
            Command(name: "ko logout (config.json)", executable: Products.ko,
                    arguments: ["logout", "-v", registryA.host], succeeds: true),
        ]

        // The watch itself must see a secret on a command line and in a short-lived file.
        let canary = "canary-" + RegistryFixture.randomPassword()
        let canaryWatch = Watch(directories: [temporary])
        try ProcessRunner.run("/bin/sh", ["-c", #"printf %s "$1" > "$TMPDIR/c"; sleep 0.3; rm "$TMPDIR/c""#, "sh",
                                          canary], environment: environment)
        let canarySeen = canaryWatch.finish()
        #expect(canarySeen.commandLines.contains { $0.contains(canary) }, "the watch missed a command line")
        #expect(canarySeen.files.values.contains { $0.versions.contains(Array(canary.utf8)) },
                "the watch missed a temporary file")

        var outputs: [(String, [UInt8])] = []
        var commandLines: Set<String> = []
        var files: [String: (versions: Set<[UInt8]>, mode: Int)] = [:]
        for command in commands {
            let watch = Watch(directories: [temporary, dockerConfig, session.home])
            var env = environment
            env.merge(command.extra) { _, new in new }
            let result = try ProcessRunner.run(command.executable, command.arguments,
                                               input: command.input.map { Array($0.utf8) }, environment: env,
                                               directory: module.root)
            let seen = watch.finish()
            commandLines.formUnion(seen.commandLines)
            files.merge(seen.files) { old, new in (old.versions.union(new.versions), new.mode) }
            #expect((result.status == 0) == command.succeeds,
                    "\(command.name) exited \(result.status): \(result.errorOutput.suffix(2000))")
            outputs.append(("\(command.name) stderr", result.standardError))
            if !command.stdoutMayHoldSecret { outputs.append(("\(command.name) stdout", result.standardOutput)) }
        }

        // The bearer tokens the token servers handed out are secrets too.
        let tokens = (registryA.tokenProxy?.capturedTokens() ?? []) + (registryB.tokenProxy?.capturedTokens() ?? [])
        #expect(tokens.count >= 2, "the builds fetched bearer tokens through the token proxies")
        for token in tokens { secrets.add(token, "bearer token") }

        var leaks: [String] = []
        for (name, bytes) in outputs {
            leaks += secrets.found(in: bytes).map { "\($0) in \(name)" }
        }
        for line in commandLines {
            leaks += secrets.found(in: Array(line.utf8)).map { "\($0) on the command line '\(line.prefix(120))'" }
        }
        let configPath = dockerConfig + "/config.json"
        for (path, entry) in files {
            let found = Set(entry.versions.flatMap { secrets.found(in: $0) })
            guard !found.isEmpty else { continue }
            let name = (path as NSString).lastPathComponent
            // config.json holds auths by design, and its atomic replacement on the way there.
            let isConfig = path == configPath || path.hasPrefix(dockerConfig + "/.config.json.tmp-")
            // The keyring's own files hold secrets encrypted only.
            if isConfig && entry.mode == 0o600 { continue }
            leaks.append("\(found.sorted().joined(separator: ", ")) in \(isConfig ? "" : "file ")\(path) "
                         + "(mode \(String(entry.mode, radix: 8)), \(name))")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: configPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        print("secret-tally: commands=\(commands.count) secrets=\(secrets.values.count) files-watched=\(files.count) "
              + "command-lines=\(commandLines.count) leaks=\(leaks.count)")
        let report = leaks.joined(separator: "\n")
        #expect(leaks.isEmpty, "secrets leaked:\n\(report)")
        #expect(files.count > 10, "the watch saw the files the commands wrote")
    }
}
