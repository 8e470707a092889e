import Foundation
import KoJSON
import TestSupport
import Testing
@testable import KoImage

/// Loading into a real Docker Engine API (podman's) and the kind loader.
struct DockerDaemonTests {
    static func tags(of image: BuiltImage, in engine: DockerEngineFixture) throws -> [String] {
        let id = image.configDescriptor.digest.description
        return try engine.images().first { $0.id == id || "sha256:" + $0.id == id }?.repoTags ?? []
    }

    @Test func loadsImagesUnderTheirDigestAndTagsThemAsKoDoes() throws {
        let engine = try DockerEngineFixture.start()
        let images = try TarballTests.Fixture()
        let daemon = DockerDaemon(socketPath: engine.socketPath)
        let app = DaemonImage(image: images.amd64, repository: "ko.local/app-0123abcd", tags: ["latest", "v1"],
                              baseBlobs: images.base)
        let other = DaemonImage(image: images.arm64, repository: "ko.local/other", tags: [], baseBlobs: images.base)

        let references = try daemon.load([app, other])
        #expect(references == ["ko.local/app-0123abcd:\(images.amd64.digest.hex)",
                               "ko.local/other:\(images.arm64.digest.hex)"])
        let appTags = try Self.tags(of: images.amd64, in: engine)
        let listed = try engine.images()
        #expect(Set(appTags) == ["ko.local/app-0123abcd:\(images.amd64.digest.hex)",
                                 "ko.local/app-0123abcd:latest", "ko.local/app-0123abcd:v1"],
                "\(listed)")
        #expect(try Self.tags(of: images.arm64, in: engine) == ["ko.local/other:\(images.arm64.digest.hex)"])
        #expect(try daemon.exists("ko.local/app-0123abcd:v1"))
        // The engine holds the layers the config lists.
        let (status, body) = try engine.get("/v1.41/images/ko.local/app-0123abcd:latest/json")
        #expect(status == 200)
        let inspected = try JSONValue(parsing: body)
        #expect(inspected["RootFS"]?["Layers"]?.stringArray
                == (try images.amd64.config.diffIDs()).map(\.description))
        #expect(try !daemon.exists("ko.local/app-0123abcd:v2"))
    }

    @Test func aTagMovesToTheImageLoadedLast() throws {
        let engine = try DockerEngineFixture.start()
        let images = try TarballTests.Fixture()
        let daemon = try DockerDaemon.fromEnvironment(["DOCKER_HOST": engine.dockerHost])
        try daemon.load([DaemonImage(image: images.amd64, repository: "ko.local/app", tags: ["latest"],
                                     baseBlobs: images.base)])
        try daemon.load([DaemonImage(image: images.arm64, repository: "ko.local/app", tags: ["latest"],
                                     baseBlobs: images.base)])
        #expect(try Self.tags(of: images.arm64, in: engine).contains("ko.local/app:latest"))
        #expect(try !Self.tags(of: images.amd64, in: engine).contains("ko.local/app:latest"))
        #expect(try Self.tags(of: images.amd64, in: engine) == ["ko.local/app:\(images.amd64.digest.hex)"])
    }

    @Test func anEngineRefusalCarriesTheEnginesMessage() throws {
        let engine = try DockerEngineFixture.start()
        let daemon = DockerDaemon(socketPath: engine.socketPath)
        let error = try #require(throws: DaemonError.self) {
            try daemon.tag("ko.local/missing:nothing", repository: "ko.local/missing", tag: "latest")
        }
        guard case let .rejected(_, _, status, message) = error else {
            Issue.record("expected a refusal, got \(error)")
            return
        }
        #expect(status == 404)
        #expect(message.contains("ko.local/missing"))
        #expect(error.description.contains("unix://\(engine.socketPath)"))
    }

    // MARK: - No engine

    @Test func noEngineIsOneLineNamingTheSocketAndDockerHost() throws {
        let work = try TemporaryDirectory("ko-noengine")
        let images = try TarballTests.Fixture()
        let image = DaemonImage(image: images.amd64, repository: "ko.local/app", tags: [], baseBlobs: images.base)

        // No file, a file that is not a socket, and a socket nobody listens on.
        let stale = work.path + "/stale.sock"
        try Self.makeStaleSocket(stale)
        let notSocket = try work.write("file.sock", "")
        for path in [work.path + "/missing.sock", notSocket, stale] {
            let error = try #require(throws: DaemonError.self) {
                try DockerDaemon(socketPath: path).load([image])
            }
            guard case .unreachable = error else {
                Issue.record("expected unreachable for \(path), got \(error)")
                continue
            }
            #expect(error.description.contains("unix://\(path)"))
            #expect(error.description.contains("DOCKER_HOST="))
            #expect(!error.description.contains("\n"))
        }
        // Nothing is left behind in the temporary directory.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.path)
        #expect(Set(leftovers) == ["stale.sock", "file.sock"])
    }

    /// A socket file whose listener is gone: connecting is refused.
    static func makeStaleSocket(_ path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
    }

    // MARK: - DOCKER_HOST

    @Test(arguments: [
        (nil, "unix:///var/run/docker.sock"),
        ("", "unix:///var/run/docker.sock"),
        ("unix:///run/user/1000/podman/podman.sock", "unix:///run/user/1000/podman/podman.sock"),
        ("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"),
        ("tcp://localhost", "tcp://localhost:2375"),
        ("tcp://[::1]:2375", "tcp://[::1]:2375"),
    ] as [(String?, String)])
    func dockerHostNamesTheEndpoint(dockerHost: String?, expected: String) throws {
        #expect(try DockerEndpoint(dockerHost: dockerHost).description == expected)
    }

    @Test(arguments: ["ssh://me@host", "npipe:////./pipe/docker_engine", "unix://relative.sock",
                      "/var/run/docker.sock", "tcp://"])
    func unsupportedDockerHostsAreRefused(dockerHost: String) {
        #expect(throws: DaemonError.self) { try DockerEndpoint(dockerHost: dockerHost) }
    }

    @Test func tlsToAnEngineIsRefusedClearly() throws {
        let error = try #require(throws: DaemonError.self) {
            try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"])
        }
        #expect(error.description.contains("DOCKER_TLS_VERIFY"))
    }

    // MARK: - Load responses

    @Test(arguments: [
        ("{\"stream\":\"Loaded image: ko.local/app:1\\n\"}\r\n", ["Loaded image: ko.local/app:1"]),
        ("{\"stream\":\"a\"}\n{\"stream\":\"b\"}\n", ["a", "b"]),
        ("Loaded image: plain text\n", ["Loaded image: plain text"]),
        ("", []),
    ])
    func loadProgressIsCollected(body: String, expected: [String]) throws {
        #expect(try DockerDaemon.loadMessages(Array(body.utf8), endpoint: .unixSocket(path: "/s")) == expected)
    }

    @Test(arguments: [
        "{\"errorDetail\":{\"message\":\"layer broke\"},\"error\":\"layer broke\"}\n",
        "{\"stream\":\"ok\"}\n{\"error\":\"layer broke\"}\n",
    ])
    func anErrorInTheLoadStreamFailsTheLoad(body: String) throws {
        let error = try #require(throws: DaemonError.self) {
            try DockerDaemon.loadMessages(Array(body.utf8), endpoint: .unixSocket(path: "/s"))
        }
        #expect(error.description.contains("layer broke"))
    }

    // MARK: - kind

    @Test func kindLoadingWithoutKindSaysSo() throws {
        let images = try TarballTests.Fixture()
        let empty = try TemporaryDirectory("ko-nokind")
        let cluster = KindCluster.fromEnvironment(["PATH": empty.path, "KIND_CLUSTER_NAME": "dev"])
        #expect(cluster.name == "dev")
        #expect(cluster.executable == nil)
        let error = try #require(throws: DaemonError.self) {
            try cluster.load([DaemonImage(image: images.amd64, repository: "kind.local/app", tags: ["latest"],
                                          baseBlobs: images.base)])
        }
        #expect(error.description.contains("'kind' command"))
        #expect(error.description.contains("'dev'"))
    }

    @Test func kindFindsItsClusterAndExecutable() throws {
        let bin = try TemporaryDirectory("ko-kindpath")
        let kind = try bin.write("kind", "#!/bin/sh\n", mode: 0o755)
        let cluster = KindCluster.fromEnvironment(["PATH": "/nonexistent:" + bin.path])
        #expect(cluster.name == "kind")
        #expect(cluster.executable == kind)
        #expect(cluster.loadArguments(archive: "/tmp/x.tar") == ["load", "image-archive", "/tmp/x.tar",
                                                                 "--name", "kind"])
    }

    @Test func kindArchivesNameEachImageByDigestAndTags() throws {
        let images = try TarballTests.Fixture()
        let image = DaemonImage(image: images.amd64, repository: "kind.local/app", tags: ["latest", "v1"],
                                baseBlobs: images.base)
        let path = images.work.path + "/kind.tar"
        try DockerTarball.write(KindCluster.archiveEntries([image]), to: path)
        let manifest = try requireTool("tar", ["-xOf", path, "manifest.json"]).stdout
        let json = try JSONValue(parsing: Array(manifest))
        #expect(json.arrayValue?.first?["RepoTags"]?.stringArray
                == ["kind.local/app:\(images.amd64.digest.hex)", "kind.local/app:latest", "kind.local/app:v1"])
    }
}
