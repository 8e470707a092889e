import Foundation
import Testing
import TestSupport

/// Fifty processes at once — `docker-credential-ko store` / `erase` and
/// `ko login` / `logout` — against one private keyring and one config.json
/// (`credsStore: ko`): afterwards every entry that should be there is, with
/// its own secret, and nothing else; config.json parses, keeps what it had,
/// and holds no secret of a keyring login.
///
/// Prints `concurrency-tally: writers=N lost=L corrupted=C leaked=K`.
///
/// A writer that fails is a failure of the test; its own entry is then left
/// out of the consistency check (its fate is open), every other entry is
/// still checked. (This found a keyring race: a search failed with "No such
/// secret item" when another process deleted an item meanwhile; KoKeyring
/// now searches again until its deadline.)
@Suite(.serialized)
struct ConcurrencyCredentialTests {
    let session: KeyringSession
    let registry: RegistryFixture
    /// One open registry reached under twenty host names (ports).
    let proxy: FaultProxy
    let configDirectory: TemporaryDirectory
    let prefix = "c" + UUID().uuidString.lowercased().prefix(8)

    static let unrelatedAuth = Data("someone:unrelated-secret".utf8).base64EncodedString()

    init() throws {
        session = try KeyringSession()
        registry = try RegistryFixture.start(auth: .none)
        proxy = try FaultProxy(upstreamPort: registry.port, listen: 20)
        configDirectory = try TemporaryDirectory("ko-concurrency")
        try configDirectory.write("config.json", """
            {
            \t"auths": {"unrelated.example": {"auth": "\(Self.unrelatedAuth)"}},
            \t"credsStore": "ko",
            \t"proxies": {"default": {"noProxy": "*.internal"}}
            }
            """, mode: 0o600)
    }

    var environment: [String: String] { session.environment(adding: ["DOCKER_CONFIG": configDirectory.path]) }
    var configPath: String { configDirectory.path + "/config.json" }

    func secret(_ server: String, round: Int) -> String { "secret-\(round)-\(server)" }

    func store(_ server: String, round: Int) -> ProcessBatch.Job {
        let value = secret(server, round: round)
        let request = #"{"ServerURL":"\#(server)","Username":"user-\#(server)","Secret":"\#(value)"}"#
        return .init(Products.credentialHelper, ["store"], environment: environment, input: Array(request.utf8))
    }

    func erase(_ server: String) -> ProcessBatch.Job {
        .init(Products.credentialHelper, ["erase"], environment: environment, input: Array(server.utf8))
    }

    func login(_ host: String, round: Int) -> ProcessBatch.Job {
        .init(Products.ko, ["login", host, "-u", "user-\(host)", "--password-stdin"], environment: environment,
              input: Array(secret(host, round: round).utf8))
    }

    func logout(_ host: String) -> ProcessBatch.Job {
        .init(Products.ko, ["logout", host], environment: environment)
    }

    struct Tally {
        var writers = 0
        var failedWriters = 0
        var lost = 0
        var corrupted = 0
        var leaked = 0
    }

    /// Compares the keyring and config.json with what should be there.
    /// Servers whose writer failed (`raced`) are left out.
    func check(keyring expected: [String: String], logins: Set<String>, raced: Set<String>, round: Int,
               tally: inout Tally) throws {
        let items = try session.dockerItems().compactMap { $0["attribute.server"] }.filter { !raced.contains($0) }
        let counted = Dictionary(items.map { ($0, 1) }, uniquingKeysWith: +)
        for server in expected.keys.sorted() where !raced.contains(server) {
            guard let count = counted[server] else {
                tally.lost += 1
                Issue.record("round \(round): \(server) is missing from the keyring")
                continue
            }
            if count != 1 {
                tally.corrupted += 1
                Issue.record("round \(round): \(server) has \(count) keyring entries")
            }
            let get = try ProcessRunner.run(Products.credentialHelper, ["get"], input: Array(server.utf8),
                                            environment: environment)
            let answer = try? JSONSerialization.jsonObject(with: Data(get.standardOutput)) as? [String: String]
            if answer?["Secret"] != expected[server] || answer?["Username"] != "user-\(server)" {
                tally.corrupted += 1
                Issue.record("round \(round): \(server) reads back wrong: status \(get.status)")
            }
        }
        for server in Set(items).subtracting(expected.keys).subtracting(raced) {
            tally.leaked += 1
            Issue.record("round \(round): \(server) should not be in the keyring")
        }

        let data = try Data(contentsOf: URL(fileURLWithPath: configPath))
        let config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                  "round \(round): config.json no longer parses")
        let auths = config["auths"] as? [String: Any] ?? [:]
        #expect(config["credsStore"] as? String == "ko")
        #expect((config["proxies"] as? [String: Any]) != nil, "round \(round): proxies were dropped")
        let unrelated = (auths["unrelated.example"] as? [String: Any])?["auth"] as? String
        if unrelated != Self.unrelatedAuth {
            tally.lost += 1
            Issue.record("round \(round): the unrelated auths entry was lost or changed")
        }
        let keys = Set(auths.keys).subtracting(["unrelated.example"]).subtracting(raced)
        for host in logins.subtracting(keys).subtracting(raced) {
            tally.lost += 1
            Issue.record("round \(round): config.json lacks the auths entry of \(host)")
        }
        for host in keys.subtracting(logins) {
            tally.leaked += 1
            Issue.record("round \(round): config.json still has an auths entry for \(host)")
        }
        let text = String(decoding: data, as: UTF8.self)
        for host in logins where text.contains(secret(host, round: round)) {
            tally.leaked += 1
            Issue.record("round \(round): the secret of \(host) is in config.json")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: configPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: configDirectory.path)
            .filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "round \(round): temporary files left: \(leftovers)")
    }

    /// Records every failed writer as an issue; returns their servers.
    func expectAllSucceeded(_ results: [ProcessResult], _ jobs: [ProcessBatch.Job], servers: [String],
                            round: Int, tally: inout Tally) -> Set<String> {
        var failed: Set<String> = []
        for ((result, job), server) in zip(zip(results, jobs), servers) where result.status != 0 {
            failed.insert(server)
            tally.failedWriters += 1
            let command = job.arguments.joined(separator: " ")
            let said = result.output + result.errorOutput
            Issue.record("round \(round): \(command) for \(server) exited \(result.status): \(said)")
        }
        return failed
    }

    @Test func fiftyWritersLeaveKeyringAndConfigConsistent() throws {
        let helperServers = (0..<20).map { "https://h\($0)-\(prefix).example" }
        let erasedServers = (0..<10).map { "e\($0)-\(prefix).example:5000" }
        let hosts = proxy.ports.map { "127.0.0.1:\($0)" }
        let loginHosts = Array(hosts[0..<10])
        let logoutHosts = Array(hosts[10..<20])
        var tally = Tally()

        // Before: the entries the first round erases and logs out.
        for server in erasedServers {
            let result = try ProcessRunner.run(Products.credentialHelper, ["store"], input: store(server, round: 0)
                .input, environment: environment)
            try #require(result.status == 0, "seeding \(server): \(result.output)")
        }
        for host in logoutHosts {
            let result = try ProcessRunner.run(Products.ko, login(host, round: 0).arguments,
                                               input: login(host, round: 0).input, environment: environment)
            try #require(result.status == 0, "seeding \(host): \(result.errorOutput)")
        }

        // Round 1: 20 stores, 10 erases, 10 logins, 10 logouts at once.
        let first = helperServers.map { store($0, round: 1) } + erasedServers.map(erase)
            + loginHosts.map { login($0, round: 1) } + logoutHosts.map(logout)
        let firstServers = helperServers + erasedServers + loginHosts + logoutHosts
        var raced = expectAllSucceeded(try ProcessBatch.runTogether(first), first, servers: firstServers, round: 1,
                                       tally: &tally)
        tally.writers += first.count
        var expected = Dictionary(uniqueKeysWithValues: helperServers.map { ($0, secret($0, round: 1)) }
                                  + loginHosts.map { ($0, secret($0, round: 1)) })
        try check(keyring: expected, logins: Set(loginHosts), raced: raced, round: 1, tally: &tally)
        // Whatever a failed writer left is put right before round 2 relies on it.
        for server in raced {
            _ = try ProcessRunner.run(Products.credentialHelper, ["erase"], input: Array(server.utf8),
                                      environment: environment)
            if loginHosts.contains(server) || logoutHosts.contains(server) {
                _ = try ProcessRunner.run(Products.ko, ["logout", server], environment: environment)
                if loginHosts.contains(server) {
                    _ = try ProcessRunner.run(Products.ko, login(server, round: 1).arguments,
                                              input: login(server, round: 1).input, environment: environment)
                }
            } else if helperServers.contains(server) {
                _ = try ProcessRunner.run(Products.credentialHelper, ["store"], input: store(server, round: 1).input,
                                          environment: environment)
            }
        }

        // Round 2, the other way round.
        let second = helperServers.map(erase) + erasedServers.map { store($0, round: 2) }
            + logoutHosts.map { login($0, round: 2) } + loginHosts.map(logout)
        let secondServers = helperServers + erasedServers + logoutHosts + loginHosts
        raced = expectAllSucceeded(try ProcessBatch.runTogether(second), second, servers: secondServers, round: 2,
                                   tally: &tally)
        tally.writers += second.count
        expected = Dictionary(uniqueKeysWithValues: erasedServers.map { ($0, secret($0, round: 2)) }
                              + logoutHosts.map { ($0, secret($0, round: 2)) })
        try check(keyring: expected, logins: Set(logoutHosts), raced: raced, round: 2, tally: &tally)

        print("concurrency-tally: writers=\(tally.writers) (50 at once, 2 rounds) lost=\(tally.lost) "
              + "corrupted=\(tally.corrupted) leaked=\(tally.leaked) "
              + "failed=\(tally.failedWriters)")
        #expect(tally.lost == 0 && tally.corrupted == 0 && tally.leaked == 0)
    }

    @Test func concurrentStoresForOneServerLeaveOneEntry() throws {
        let server = "race-\(prefix).example"
        let jobs = (0..<10).map { store(server, round: $0) }
        var tally = Tally()
        let raced = expectAllSucceeded(try ProcessBatch.runTogether(jobs), jobs,
                                       servers: Array(repeating: server, count: jobs.count), round: 0, tally: &tally)
        let entries = try session.dockerItems().filter { $0["attribute.server"] == server }
        let get = try ProcessRunner.run(Products.credentialHelper, ["get"], input: Array(server.utf8),
                                        environment: environment)
        let answer = try? JSONSerialization.jsonObject(with: Data(get.standardOutput)) as? [String: String]
        let secrets = Set((0..<10).map { secret(server, round: $0) })
        #expect(secrets.contains(answer?["Secret"] ?? ""), "get returns one of the stored secrets")
        print("concurrency-tally: same-server stores=10 entries=\(entries.count) failed=\(tally.failedWriters)")
        // Every writer replaced whatever was there: one entry.
        #expect(raced.isEmpty)
        #expect(entries.count == 1, "ten concurrent stores for one server left \(entries.count) keyring entries")
    }
}
