import Foundation
import Testing
import TestSupport
@testable import KoCreds

/// Seeded random corpora (`FaultyInputs`) for the inputs KoCreds reads from
/// users and other programs: config.json and credential-helper stdin. Every
/// input ends in a result or a one-line error, and a config.json that cannot
/// be used is never overwritten.
///
/// Each test prints `fuzz-tally: <name> inputs=N`.
struct FuzzCredsInputTests {
    static func expectOneLine(_ error: any Error, input: Int, _ name: String) {
        let text = "\(error)"
        if text.isEmpty || text.contains("\n") || text.contains("\r") {
            Issue.record("\(name) input #\(input): error is not one line: \(text.debugDescription)")
        }
    }

    static let configSeeds = [
        """
        {
        \t"auths": {
        \t\t"registry.example:5000": {"auth": "dXNlcjpwYXNz", "email": "x@y"},
        \t\t"https://index.docker.io/v1/": {"identitytoken": "tok"},
        \t\t"ghcr.io": {"username": "u", "password": "p"}
        \t},
        \t"credsStore": "ko",
        \t"credHelpers": {"gcr.io": "gcloud", "public.ecr.aws": "ecr-login"},
        \t"proxies": {"default": {"httpProxy": "http://proxy:3128"}},
        \t"HttpHeaders": {"User-Agent": "x"}, "psFormat": "{{.ID}}", "experimental": "enabled"
        }
        """,
        #"{"auths":{}}"#, "", "   \n", #"{"credsStore":""}"#, #"{"auths":{"a":{"auth":"!!!"}}}"#,
        #"{"auths":{"\u00e9\ud83d\ude00":{"auth":"YTpi","registrytoken":"r"}},"credHelpers":{"x":""}}"#,
    ]

    @Test func configFilesParseOrFailInOneLine() {
        var inputs = FaultyInputs(seeds: Self.configSeeds, seed: 21)
        let count = FaultyInputs.count(20_000)
        var parsed = 0
        for _ in 0..<count {
            let bytes = inputs.next()
            let number = inputs.produced
            do {
                let config = try DockerConfigFile(path: "/fuzz/config.json", bytes: bytes)
                parsed += 1
                _ = try? config.credentialsStore()
                _ = try? config.credentialHelpers()
                _ = try? config.credentialHelper(forServer: "gcr.io")
                _ = try? config.credentialLocation(forServer: "registry.example:5000",
                                                   environment: ["PATH": "/nonexistent"])
                for key in (try? config.authKeys()) ?? [] {
                    do {
                        _ = try config.authEntry(forKey: key)?.credential(server: key, path: config.path)
                    } catch {
                        Self.expectOneLine(error, input: number, "auths entry")
                    }
                }
                // What we write parses back to the same document.
                let again = try DockerConfigFile(path: config.path, bytes: Array(config.serialized().utf8))
                #expect(again.root == config.root, "input #\(number)")
            } catch {
                Self.expectOneLine(error, input: number, "config.json")
            }
        }
        #expect(parsed > 100)
        print("fuzz-tally: config.json inputs=\(count)")
    }

    /// `ko login`'s storage against broken files: on any error the file is
    /// byte for byte what it was; on success it parses and kept every member
    /// it had.
    @Test func aConfigThatCannotBeUsedIsNeverOverwritten() throws {
        let directory = try TemporaryDirectory("ko-fuzz-config")
        let path = directory.path + "/config.json"
        var inputs = FaultyInputs(seeds: Self.configSeeds.filter { !$0.contains("credsStore") || $0.count > 100 }
                                  .map { $0.replacingOccurrences(of: #""credsStore": "ko","#, with: "") }, seed: 22)
        let count = FaultyInputs.count(2_000)
        var refused = 0
        for _ in 0..<count {
            let bytes = inputs.next()
            let number = inputs.produced
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let before = try? DockerConfigFile(path: path, bytes: bytes)
            // No helper on this PATH: storage is config.json itself.
            let storage = try LoginStorage(configPath: path, environment: ["PATH": "/nonexistent"])
            do {
                if number % 2 == 0 {
                    try storage.store(Credential(username: "fuzz", secret: "fuzz-secret"),
                                      forRegistry: "fuzz.example:5000")
                } else {
                    try storage.erase(registry: "registry.example:5000")
                }
                let after = try DockerConfigFile(path: path, bytes: Array(try Data(contentsOf:
                    URL(fileURLWithPath: path))))
                for member in before?.root.members ?? [] where !["auths", "credsStore"].contains(member.key) {
                    #expect(after.root[member.key] == member.value, "input #\(number) lost '\(member.key)'")
                }
            } catch {
                refused += 1
                Self.expectOneLine(error, input: number, "login storage")
                let now = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(now == bytes, "input #\(number): a config that could not be used was changed")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        }
        #expect(refused > 50)
        print("fuzz-tally: config.json under login/logout inputs=\(count)")
    }

    static let helperSeeds = [
        #"{"ServerURL":"https://registry.example:5000","Username":"user","Secret":"s3cr3t"}"#,
        #"{"serverurl":"x","username":"y","secret":"z","Extra":[1,{"a":null}]}"#,
        "https://index.docker.io/v1/", "registry.example:5000\n", #"{"ServerURL":null}"#, "",
    ]

    @Test func helperStdinParsesOrFailsInOneLine() {
        var inputs = FaultyInputs(seeds: Self.helperSeeds, seed: 23)
        let count = FaultyInputs.count(20_000)
        var parsed = 0
        for _ in 0..<count {
            let bytes = inputs.next()
            do {
                let request = try CredentialHelperProtocol.parseCredentials(bytes)
                parsed += 1
                // The answer we would print parses back to the same request.
                let answer = CredentialHelperProtocol.credentialsJSON(
                    server: request.server, credential: Credential(username: request.username,
                                                                   secret: request.secret))
                let again = try CredentialHelperProtocol.parseCredentials(Array(answer.utf8))
                #expect(again == request, "input #\(inputs.produced)")
            } catch {
                Self.expectOneLine(error, input: inputs.produced, "helper stdin")
            }
            _ = try? CredentialHelperProtocol.parseList(bytes)
            _ = ServerAddress(String(decoding: bytes, as: UTF8.self)).canonicalAncestry
        }
        #expect(parsed > 100)
        print("fuzz-tally: credential helper stdin inputs=\(count)")
    }
}
