import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `ko login` and `ko logout` killed (SIGKILL) at random moments while they
/// rewrite config.json: whatever the moment, config.json is afterwards the
/// old file byte for byte or the whole new one, never a torn mix; and a
/// malformed config.json is left exactly as it was.
///
/// Prints `fault-tally: config writes killed=N whole=N`.
@Suite(.serialized)
struct FaultConfigWriteTests {
    static func auth(_ user: String, _ password: String) -> String {
        Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Runs `arguments`, killing it after `delay` seconds unless it ended; returns whether it was killed.
    static func runKilling(_ arguments: [String], input: String?, environment: [String: String],
                           after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.ko)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : pipe
        try process.run()
        if let input {
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(500) }
        let killed = process.isRunning && kill(process.processIdentifier, SIGKILL) == 0
        process.waitUntilExit()
        return killed && process.terminationReason == .uncaughtSignal
    }

    @Test func killedLoginsAndLogoutsLeaveConfigWhole() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let directory = try TemporaryDirectory("ko-config-kill")
        let path = directory.path + "/config.json"
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = directory.path
        environment["PATH"] = "/usr/bin:/bin"  // no credential helper: config.json holds the auths

        let keep = """
            {
            \t"auths": {"keep.example": {"auth": "\(Self.auth("keep", "keep-secret"))"}},
            \t"proxies": {"default": {"httpProxy": "http://proxy.example:3128"}},
            \t"psFormat": "table {{.ID}}"
            }
            """
        try Data(keep.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let login = ["login", registry.host, "-u", "user", "--password-stdin"]

        // How long one login takes, to spread the kills over all of it.
        let started = Date()
        #expect(try !Self.runKilling(login, input: "password-0", environment: environment, after: 30))
        let duration = max(0.02, Date().timeIntervalSince(started))

        var killed = 0
        var whole = 0
        var generator = FaultyInputs(seeds: [], seed: 41)
        let rounds = FaultyInputs.count(60)
        for round in 1...rounds {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let loggingIn = round % 2 == 0
            let delay = duration * 1.2 * Double(generator.below(1000)) / 1000
            let wasKilled = try Self.runKilling(loggingIn ? login : ["logout", registry.host],
                                                input: loggingIn ? "password-\(round)" : nil,
                                                environment: environment, after: delay)
            if wasKilled { killed += 1 }
            let after = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let object = try? JSONSerialization.jsonObject(with: after) as? [String: Any] else {
                Issue.record("round \(round): config.json is torn after a kill at \(delay)s")
                continue
            }
            let auths = object["auths"] as? [String: [String: String]] ?? [:]
            let entry = auths[registry.host]?["auth"]
            // Old bytes exactly, or the new state whole.
            let isOld = after == before
            let isNew = loggingIn ? entry == Self.auth("user", "password-\(round)") : entry == nil
            #expect(isOld || isNew, "round \(round): neither the old nor the new config")
            #expect(auths["keep.example"]?["auth"] == Self.auth("keep", "keep-secret"), "round \(round)")
            #expect(object["proxies"] != nil && object["psFormat"] as? String == "table {{.ID}}", "round \(round)")
            if isOld || isNew { whole += 1 }
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        // How many kills land mid-write depends on the machine's speed; the
        // test must see at least one, or it has tested nothing.
        #expect(killed > 0, "no run was killed midway, of \(rounds)")
        print("fault-tally: config writes killed=\(killed) of \(rounds) whole=\(whole)")
    }

    @Test func aMalformedConfigIsNeverOverwritten() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let directory = try TemporaryDirectory("ko-config-bad")
        let path = directory.path + "/config.json"
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = directory.path
        environment["PATH"] = "/usr/bin:/bin"
        let broken = [
            #"{"auths": {"a": {"auth": "eDp5"}},"#, #"{"auths": []}"#, "[1, 2]", #"{"credsStore": 7}"#,
            #"{"auths": {"a": "not an object"}}"#, "\u{FEFF}{\"auths\": {}",
            "{\"auths\": {\"a\": {\"auth\": \"eDp5\"}}}}",
        ]
        for (index, text) in broken.enumerated() {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            for arguments in [["login", registry.host, "-u", "u", "--password-stdin"], ["logout", registry.host]] {
                let result = try ProcessRunner.run(Products.ko, arguments, input: Array("pw".utf8),
                                                   environment: environment)
                let now = try Data(contentsOf: URL(fileURLWithPath: path))
                if result.status == 0 {
                    // Accepted input must still be valid JSON that kept its entries.
                    #expect(try JSONSerialization.jsonObject(with: now) is [String: Any], "case \(index)")
                } else {
                    #expect(now == Data(text.utf8), "case \(index): \(arguments[0]) changed a config it refused")
                    let lines = result.errorOutput.split(separator: "\n")
                    #expect(lines.count == 1 && lines[0].hasPrefix("Error: "), "case \(index): \(result.errorOutput)")
                    #expect(lines.first?.contains(path) == true, "the error names the file: \(result.errorOutput)")
                }
            }
        }
    }
}
