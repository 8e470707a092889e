import KoImage
import Testing
@testable import KoBuild

struct PlatformSelectionTests {
    @Test func defaultIsLinuxAmd64() throws {
        #expect(try PlatformSelection.platforms(flags: [], environment: [:])?.map(\.description) == ["linux/amd64"])
    }

    @Test func goosAndGoarchFromTheEnvironment() throws {
        let platforms = try PlatformSelection.platforms(flags: [], environment: ["GOARCH": "arm", "GOARM": "7"])
        #expect(platforms?.map(\.description) == ["linux/arm/v7"])
    }

    @Test func allMeansEveryPlatformOfTheBase() throws {
        #expect(try PlatformSelection.platforms(flags: ["all"], environment: [:]) == nil)
    }

    @Test func flagsBeatTheEnvironmentDefaultWhichBeatsTheFile() throws {
        let env = ["KO_DEFAULTPLATFORMS": "linux/arm64"]
        #expect(try PlatformSelection.platforms(flags: ["linux/s390x"], defaults: ["linux/386"], environment: env)?
                    .map(\.description) == ["linux/s390x"])
        #expect(try PlatformSelection.platforms(flags: [], defaults: ["linux/386"], environment: env)?
                    .map(\.description) == ["linux/arm64"])
        #expect(try PlatformSelection.platforms(flags: [], defaults: ["linux/386"], environment: [:])?
                    .map(\.description) == ["linux/386"])
    }

    @Test func platformFlagWithGoarchIsRefused() {
        #expect(throws: BuildError.self) {
            try PlatformSelection.platforms(flags: ["linux/arm64"], environment: ["GOARCH": "amd64"])
        }
    }

    @Test(arguments: [
        ("linux/amd64", "linux", "amd64", nil, nil),
        ("linux/arm/v7", "linux", "arm", "v7", nil),
        ("windows/amd64:10.0.17763.1234", "windows", "amd64", nil, "10.0.17763.1234"),
    ] as [(String, String, String, String?, String?)])
    func parsesPlatforms(text: String, os: String, arch: String, variant: String?, osVersion: String?) throws {
        let platform = try PlatformSelection.parse(text)
        #expect(platform == Platform(os: os, architecture: arch, variant: variant, osVersion: osVersion))
        #expect(platform.description == text)
    }

    @Test(arguments: ["linux", "linux/", "/amd64", "a/b/c/d", ""])
    func refusesMalformedPlatforms(text: String) {
        #expect(throws: BuildError.self) { try PlatformSelection.parse(text) }
    }
}
