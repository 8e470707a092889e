import Testing
@testable import KoImage

/// ImageConfig accessors over the raw JSON.
struct ConfigTests {
    static let baseConfig = """
    {"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05.123456789Z",
     "config":{"Env":["PATH=/usr/bin:/bin","LANG=C"],"Cmd":["/bin/sh"],"User":"65532",
               "WorkingDir":"/home","Labels":{"vendor":"acme"},"ExposedPorts":{"80/tcp":{}},
               "Healthcheck":{"Test":["NONE"],"Interval":30000000000},"StopSignal":"SIGTERM"},
     "rootfs":{"type":"layers","diff_ids":["sha256:\(String(repeating: "1", count: 64))"]},
     "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD file","x-unknown":[1,2.50]}],
     "x-vendor-extension":{"nested":{"big":123456789012345678901234567890}},
     "moby.buildkit.buildinfo.v1":"eyJmcm9udGVuZCI6ImRvY2tlcmZpbGUudjAifQ=="}
    """

    @Test func typedAccessorsReadTheBaseConfig() throws {
        let config = try ImageConfig(parsing: Array(Self.baseConfig.utf8))
        #expect(config.architecture == "amd64" && config.os == "linux" && config.variant == nil)
        #expect(config.env == ["PATH=/usr/bin:/bin", "LANG=C"])
        #expect(config.cmd == ["/bin/sh"] && config.entrypoint == nil)
        #expect(config.user == "65532" && config.workingDir == "/home")
        #expect(config.labels == ["vendor": "acme"])
        #expect(config.created == "2024-01-02T03:04:05.123456789Z")
        #expect(try config.diffIDs().count == 1)
        #expect(config.history.first?.createdBy == "ADD file")
        #expect(config.platform == Platform(os: "linux", architecture: "amd64"))
    }

    @Test func editsKeepEveryUnknownKey() throws {
        var config = try ImageConfig(parsing: Array(Self.baseConfig.utf8))
        config.entrypoint = ["/ko-app/app"]
        config.cmd = nil
        config.labels = ["vendor": "acme", "team": "core"]
        config.appendHistory(HistoryEntry(author: "ko", createdBy: "ko build ko://x", comment: "c"))
        config.setDiffIDs(try config.diffIDs() + [Digest(hex: String(repeating: "2", count: 64))])

        let text = String(decoding: config.canonicalBytes, as: UTF8.self)
        #expect(text.contains(#""x-vendor-extension":{"nested":{"big":123456789012345678901234567890}}"#))
        #expect(text.contains(#""moby.buildkit.buildinfo.v1":"eyJmcm9udGVuZCI6ImRvY2tlcmZpbGUudjAifQ==""#))
        #expect(text.contains(#""Healthcheck":{"Interval":30000000000,"Test":["NONE"]}"#))
        #expect(text.contains(#""ExposedPorts":{"80/tcp":{}}"#))
        #expect(text.contains(#"{"created":"2024-01-01T00:00:00Z","created_by":"ADD file","x-unknown":[1,2.50]}"#))
        let koEntry = #"{"author":"ko","comment":"c","created":"0001-01-01T00:00:00Z","created_by":"ko build ko://x"}"#
        #expect(text.contains(koEntry))
        #expect(!text.contains(#""Cmd""#))
        #expect(text.contains(#""Entrypoint":["/ko-app/app"]"#))

        let reread = try ImageConfig(parsing: config.canonicalBytes)
        #expect(reread == config)
        #expect(try reread.diffIDs().count == 2)
    }

    @Test func configWithoutContainerSectionGetsOne() throws {
        var config = try ImageConfig(parsing: Array(#"{"architecture":"arm64","os":"linux","config":null}"#.utf8))
        config.env = ["A=b"]
        #expect(config.env == ["A=b"])
        config.setDiffIDs([])
        let text = String(decoding: config.canonicalBytes, as: UTF8.self)
        #expect(text.contains(#""rootfs":{"diff_ids":[],"type":"layers"}"#))
        #expect(throws: ModelError.self) { try ImageConfig(parsing: Array("[1]".utf8)) }
    }
}
