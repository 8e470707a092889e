import Foundation
import Testing
import TestSupport
@testable import KoBuild

struct ResolveFilesTests {
    @Test func directoriesGiveTheirManifestsInNameOrder() throws {
        let directory = try TemporaryDirectory("ko-resolve")
        for name in ["b.yaml", "a.yml", "c.json", "notes.txt", "sub/d.yaml", "sub/deeper/e.yaml", "z/f.yaml"] {
            try directory.write("config/" + name, "kind: X\n")
        }
        try directory.write("explicit.txt", "kind: Y\n")
        let root = directory.path + "/config"

        #expect(try ManifestFiles.enumerate([root], recursive: false) == [
            root + "/a.yml", root + "/b.yaml", root + "/c.json",
        ])
        #expect(try ManifestFiles.enumerate([root, directory.path + "/explicit.txt", "-"], recursive: true) == [
            root + "/a.yml", root + "/b.yaml", root + "/c.json", root + "/sub/d.yaml",
            root + "/sub/deeper/e.yaml", root + "/z/f.yaml", directory.path + "/explicit.txt", "-",
        ])
    }

    @Test func missingFileIsNamed() {
        #expect {
            try ManifestFiles.enumerate(["/nonexistent/ko/config.yaml"], recursive: false)
        } throws: { error in
            "\(error)".contains("/nonexistent/ko/config.yaml")
        }
    }

    @Test func loadParsesAndNamesTheFileInErrors() throws {
        let directory = try TemporaryDirectory("ko-resolve")
        let good = try directory.write("good.yaml", "image: ko://example.com/a\n")
        #expect(try ManifestFiles.load(good).importPaths == ["example.com/a"])
        let bad = try directory.write("bad.yaml", "a: 1\n  b: 2\n")
        #expect {
            try ManifestFiles.load(bad)
        } throws: { error in
            "\(error)".hasPrefix(bad + ":2:")
        }
    }
}
