import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

struct DockerConfigFileTests {
    /// A config as the Docker CLI and other tools leave it, with members we
    /// never interpret.
    static let lived = """
        {
        \t"auths": {
        \t\t"https://index.docker.io/v1/": {},
        \t\t"old.example": {
        \t\t\t"auth": "b2xkOm9sZA==",
        \t\t\t"email": "me@example.com"
        \t\t}
        \t},
        \t"credHelpers": {
        \t\t"gcr.io": "gcloud"
        \t},
        \t"proxies": {
        \t\t"default": {
        \t\t\t"httpProxy": "http://proxy.example:3128",
        \t\t\t"noProxy": "localhost,127.0.0.1"
        \t\t}
        \t},
        \t"detachKeys": "ctrl-e,e",
        \t"x-future-setting": [
        \t\t1.50,
        \t\ttrue,
        \t\tnull,
        \t\t{
        \t\t\t"nested": "\\u00e9t\\u00e9"
        \t\t}
        \t],
        \t"psFormat": "table {{.ID}}"
        }
        """

    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["PATH": "/nonexistent"].merging(extra) { _, new in new }
    }

    @Test func loginKeepsEveryOtherMemberInPlace() throws {
        let directory = try TemporaryDirectory("ko-config")
        let path = try directory.write("config.json", Self.lived, mode: 0o600)
        let storage = try LoginStorage(configPath: path, environment: environment())
        try storage.store(Credential(username: "u", secret: "p"), forRegistry: "new.example:5000")

        let written = try String(contentsOfFile: path, encoding: .utf8)
        let expected = Self.lived.replacingOccurrences(of: """
            \t\t"https://index.docker.io/v1/": {},
            """, with: """
            \t\t"https://index.docker.io/v1/": {},
            \t\t"new.example:5000": {
            \t\t\t"auth": "dTpw"
            \t\t},
            """)
        // Only the new entry differs, placed in key order as the Docker CLI sorts `auths`;
        // `\u00e9` is written as the character it means.
        #expect(written == expected.replacingOccurrences(of: "\\u00e9t\\u00e9", with: "été"))
    }

    @Test func malformedFileIsReportedWithPositionAndLeftAlone() throws {
        let directory = try TemporaryDirectory("ko-config")
        let broken = "{\n\t\"auths\": {\n\t\t\"a\": {}\n\t\n\t\"credsStore\": \"ko\"\n}\n"
        let path = try directory.write("config.json", broken, mode: 0o600)

        #expect(throws: ConfigFileError.self) { try DockerConfigFile.load(path: path) }
        do {
            _ = try LoginStorage(configPath: path, environment: environment())
                .store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
            Issue.record("storing into a malformed config succeeded")
        } catch let error as ConfigFileError {
            guard case let .malformed(errorPath, line, column, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(line == 5 && column == 2)
            #expect(error.description.contains(path) && error.description.contains("line 5, column 2"))
        }
        #expect(throws: ConfigFileError.self) {
            try DockerConfigFile.update(path: path) { config in config.setCredentialsStore("ko") }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(".") }
        #expect(temporaries.isEmpty)
    }

    @Test func newFilesArePrivateAndExistingModesAreKept() throws {
        let directory = try TemporaryDirectory("ko-config")
        let configDirectory = directory.path + "/nested/.docker"
        let storage = try LoginStorage(environment: environment(["DOCKER_CONFIG": configDirectory]))
        #expect(storage.configPath == configDirectory + "/config.json")
        try storage.store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
        #expect(try mode(configDirectory) == 0o700)
        #expect(try mode(configDirectory + "/config.json") == 0o600)
        #expect(try mode(configDirectory + "/config.json.lock") == 0o600)

        let shared = try directory.write("shared/config.json", "{}", mode: 0o644)
        try LoginStorage(configPath: shared, environment: environment())
            .store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
        #expect(try mode(shared) == 0o644)
    }

    @Test func aSymlinkedConfigStaysALink() throws {
        let directory = try TemporaryDirectory("ko-config")
        let target = try directory.write("dotfiles/docker.json", #"{"psFormat":"x"}"#, mode: 0o600)
        try FileManager.default.createDirectory(atPath: directory.path + "/.docker", withIntermediateDirectories: true)
        let link = directory.path + "/.docker/config.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../dotfiles/docker.json")

        try LoginStorage(configPath: link, environment: environment())
            .store(Credential(username: "u", secret: "p"), forRegistry: "r.example")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../dotfiles/docker.json")
        let config = try DockerConfigFile.load(path: target)
        #expect(try config.authEntry(forKey: "r.example")?.credential(server: "r.example", path: target)
            == Credential(username: "u", secret: "p"))
    }

    @Test func twentyConcurrentLoginsAllLand() throws {
        let directory = try TemporaryDirectory("ko-config")
        let path = try directory.write("config.json", Self.lived, mode: 0o600)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            do {
                try LoginStorage(configPath: path, environment: environment())
                    .store(Credential(username: "user\(index)", secret: "secret\(index)"),
                           forRegistry: "registry\(index).example:5000")
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.all.isEmpty)

        let bytes = try #require(FileManager.default.contents(atPath: path))
        let object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        let auths = try #require(object["auths"] as? [String: Any])
        #expect(auths.count == 22)
        let config = try DockerConfigFile.load(path: path)
        for index in 0..<20 {
            let key = "registry\(index).example:5000"
            #expect(try config.authEntry(forKey: key)?.credential(server: key, path: path)
                == Credential(username: "user\(index)", secret: "secret\(index)"))
        }
        #expect(object["proxies"] != nil && object["x-future-setting"] != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func locatesTheConfigLikeTheDockerCLI() throws {
        #expect(try DockerConfigFile.defaultPath(environment: ["DOCKER_CONFIG": "/d", "HOME": "/h"])
            == "/d/config.json")
        #expect(try DockerConfigFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.docker/config.json")
        #expect(try DockerConfigFile.defaultPath(environment: ["DOCKER_CONFIG": "", "HOME": "/h"])
            == "/h/.docker/config.json")
    }

    @Test func wrongTypesNameTheField() throws {
        let text = #"{"credHelpers":{"a":1},"credsStore":[]}"#
        let config = try DockerConfigFile(path: "/c.json", bytes: Array(text.utf8))
        #expect(throws: ConfigFileError.invalidField(path: "/c.json", field: "credHelpers.a", expected: "a string")) {
            try config.credentialHelpers()
        }
        #expect(throws: ConfigFileError.invalidField(path: "/c.json", field: "credsStore", expected: "a string")) {
            try config.credentialsStore()
        }
        let empty = try DockerConfigFile(path: "/c.json", bytes: Array(" \n".utf8))
        #expect(empty.root.isEmpty)
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }
}

/// Error texts collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func append(_ text: String) {
        lock.lock()
        items.append(text)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
