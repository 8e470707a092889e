import Foundation
import Testing
import TestSupport

/// Twenty `ko login` processes at once, each to its own registry, must leave
/// one valid config.json holding all twenty; twenty `ko logout`s at once must
/// leave none. (config.json is rewritten whole by each process: without the
/// lock, logins would overwrite each other.)
@Suite(.serialized)
struct LoginConcurrencyTests {
    static let count = 20

    /// How one of the processes ended.
    struct Outcome {
        var status: Int32
        var output: String
        var errorOutput: String
    }

    /// Registries started one after another (free ports are picked one at a time).
    static func registries() throws -> [RegistryFixture] {
        try (0..<count).map { _ in try RegistryFixture.start(auth: .basic()) }
    }

    /// Starts one `ko` process per argument list, all before waiting for any,
    /// and returns their results in the same order.
    static func runTogether(_ commands: [(arguments: [String], input: String?)],
                            environment: [String: String]) throws -> [Outcome] {
        var running: [(process: Process, stdout: Pipe, stderr: Pipe)] = []
        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Products.ko)
            process.arguments = command.arguments
            process.environment = environment
            let stdout = Pipe()
            let stderr = Pipe()
            let stdin = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = stdin
            try process.run()
            if let input = command.input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            running.append((process, stdout, stderr))
        }
        // Each writes a few hundred bytes at most: far below a pipe's buffer.
        return running.map { entry in
            entry.process.waitUntilExit()
            let output = entry.stdout.fileHandleForReading.readDataToEndOfFile()
            let errorOutput = entry.stderr.fileHandleForReading.readDataToEndOfFile()
            return Outcome(status: entry.process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                           errorOutput: String(decoding: errorOutput, as: UTF8.self))
        }
    }

    static func logins(_ registries: [RegistryFixture]) throws -> [(arguments: [String], input: String?)] {
        try registries.map { registry in
            (["login", registry.host, "-u", try #require(registry.username), "--password-stdin"],
             try #require(registry.password) + "\n")
        }
    }

    static func logouts(_ registries: [RegistryFixture]) -> [(arguments: [String], input: String?)] {
        registries.map { (["logout", $0.host], nil) }
    }

    /// No temporary files left behind by the atomic rewrites.
    static func strayFiles(_ machine: LoginFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: machine.dockerConfig.path)
            .filter { $0 != "config.json" && $0 != "config.json.lock" }
    }

    @Test func twentyConcurrentLoginsToConfigAuthsAllLand() throws {
        let registries = try Self.registries()
        let machine = try LoginFixture.headless()

        let results = try Self.runTogether(try Self.logins(registries), environment: machine.environment)
        for (registry, result) in zip(registries, results) {
            #expect(result.status == 0, "ko login \(registry.host): \(result.errorOutput)")
            #expect(result.output == "Login Succeeded\n")
        }
        let auths = try machine.auths()
        #expect(auths.count == Self.count)
        for registry in registries {
            let stored = try machine.storedAuth(registry.host)
            #expect(stored?.username == registry.username && stored?.password == registry.password,
                    "wrong or missing entry for \(registry.host)")
        }
        #expect(try Self.strayFiles(machine).isEmpty)

        let logouts = try Self.runTogether(Self.logouts(registries), environment: machine.environment)
        #expect(logouts.allSatisfy { $0.status == 0 })
        #expect(try machine.auths().isEmpty)
        #expect(try Self.strayFiles(machine).isEmpty)
    }

    @Test func twentyConcurrentLoginsToTheKeyringAllLand() throws {
        let registries = try Self.registries()
        let machine = try LoginFixture.keyring()

        let results = try Self.runTogether(try Self.logins(registries), environment: machine.environment)
        for (registry, result) in zip(registries, results) {
            #expect(result.status == 0, "ko login \(registry.host): \(result.errorOutput)")
        }
        // The keyring holds the secrets; config.json an empty entry per registry.
        #expect(try machine.keyringServers() == registries.map(\.host).sorted())
        let auths = try machine.auths()
        #expect(Set(auths.keys) == Set(registries.map(\.host)))
        #expect(auths.values.allSatisfy { $0["auth"] == nil })
        #expect(try machine.config()["credsStore"] as? String == "ko")
        for registry in registries {
            #expect(try machine.keyringSecret(registry.host) == registry.password)
        }

        let logouts = try Self.runTogether(Self.logouts(registries), environment: machine.environment)
        #expect(logouts.allSatisfy { $0.status == 0 && $0.errorOutput.isEmpty },
                "\(logouts.map(\.errorOutput).joined())")
        #expect(try machine.keyringItems().isEmpty)
        #expect(try machine.auths().isEmpty)
        #expect(try Self.strayFiles(machine).isEmpty)
    }
}
