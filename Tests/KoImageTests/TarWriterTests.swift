import Foundation
import TestSupport
import Testing
@testable import KoImage

/// The tar writer, read back by GNU tar and compared with Go's archive/tar.
struct TarWriterTests {
    /// Writes a tar to `path` with the entries `body` adds.
    private func writeTar(to path: String, _ body: (TarWriter) throws -> Void) throws {
        let output = try OutputFile(path: path)
        let tar = TarWriter { try output.write($0) }
        try body(tar)
        try tar.finish()
        try output.close()
    }

    @Test func gnuTarListsEntriesWithFixedOwnerModeAndTime() throws {
        let directory = try TemporaryDirectory()
        let source = try directory.write("payload.bin", String(repeating: "x", count: 1500))
        let tarPath = directory.path + "/out.tar"
        try writeTar(to: tarPath) { tar in
            try tar.addDirectory("/var", mode: 0o555)
            try tar.addFile("/var/payload", contentsOf: source, mode: 0o555, modificationTime: 0)
            try tar.addFile("/var/note.txt", bytes: Array("hi\n".utf8), mode: 0o644, modificationTime: 1_700_000_000)
            try tar.addSymlink("/var/link", target: "payload")
        }

        let listing = try requireTool("tar", ["--numeric-owner", "--utc", "-tvf", tarPath]).text
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        try #require(lines.count == 4, "tar -tvf: \(listing)")
        #expect(lines[0][0] == "dr-xr-xr-x" && lines[0][1] == "0/0" && lines[0].last == "/var")
        #expect(lines[1][0] == "-r-xr-xr-x" && lines[1][2] == "1500")
        #expect(lines[1][3] == "1970-01-01" && lines[1][4] == "00:00")
        #expect(lines[2][0] == "-rw-r--r--" && lines[2][3] == "2023-11-14")
        #expect(lines[3][0] == "lrwxrwxrwx" && lines[3].last == "payload")

        let extracted = try TemporaryDirectory()
        try requireTool("tar", ["-xf", tarPath, "-C", extracted.path])
        let copy = try Data(contentsOf: URL(fileURLWithPath: extracted.path + "/var/payload"))
        #expect(copy == Data(String(repeating: "x", count: 1500).utf8))
    }

    @Test func longAndNonASCIINamesSurviveThroughUstarPrefixAndPax() throws {
        let directory = try TemporaryDirectory()
        let splittable = "/var/run/ko/" + String(repeating: "d", count: 60) + "/" + String(repeating: "f", count: 90)
        let unsplittable = "/var/run/ko/" + String(repeating: "n", count: 130)
        let unicode = "/var/run/ko/café-ünïcode.txt"
        let longTarget = String(repeating: "t", count: 150)
        let tarPath = directory.path + "/out.tar"
        try writeTar(to: tarPath) { tar in
            try tar.addFile(splittable, bytes: [1], mode: 0o555)
            try tar.addFile(unsplittable, bytes: [2], mode: 0o555)
            try tar.addFile(unicode, bytes: [3], mode: 0o555)
            try tar.addSymlink("/var/run/ko/long-link", target: longTarget)
        }
        let names = try requireTool("tar", ["-tf", tarPath]).text.split(separator: "\n").map(String.init)
        #expect(names == [splittable, unsplittable, unicode, "/var/run/ko/long-link"].map { String($0.dropFirst()) }
                || names == [splittable, unsplittable, unicode, "/var/run/ko/long-link"])
        let verbose = try requireTool("tar", ["-tvf", tarPath]).text
        #expect(verbose.contains("-> " + longTarget))
    }

    @Test func sameEntriesGiveSameBytes() throws {
        let directory = try TemporaryDirectory()
        let source = try directory.write("a", "content")
        for index in 0..<2 {
            try writeTar(to: directory.path + "/\(index).tar") { tar in
                try tar.addDirectory("ko-app")
                try tar.addFile("/ko-app/a", contentsOf: source)
            }
        }
        #expect(try sha256Hex(ofFile: directory.path + "/0.tar") == sha256Hex(ofFile: directory.path + "/1.tar"))
    }

    @Test func matchesGoArchiveTarByteForByte() throws {
        let directory = try TemporaryDirectory()
        let source = try directory.write("bin", String(repeating: "go", count: 3000))
        let longName = "/var/run/ko/" + String(repeating: "d", count: 60) + "/" + String(repeating: "f", count: 90)
        let paxName = "/var/run/ko/" + String(repeating: "n", count: 130)
        let unicode = "/var/run/ko/café.txt"
        let ours = directory.path + "/ours.tar"
        try writeTar(to: ours) { tar in
            try tar.addDirectory("/var", mode: 0o555, modificationTime: 1_600_000_000)
            try tar.addDirectory("ko-app", mode: 0o555)
            try tar.addFile("/ko-app/app", contentsOf: source, mode: 0o555)
            try tar.addFile(longName, contentsOf: source, mode: 0o555)
            try tar.addFile(paxName, contentsOf: source, mode: 0o555, modificationTime: 12)
            try tar.addFile(unicode, contentsOf: source, mode: 0o555)
            try tar.addFile("/negative-time", bytes: [1], mode: 0o555, modificationTime: -5)
            try tar.addFile("/far-future", bytes: [2], mode: 0o555, modificationTime: 1 << 34)
        }
        let program = """
        package main

        import (
        \t"archive/tar"
        \t"os"
        \t"time"
        )

        func main() {
        \tdata, _ := os.ReadFile(os.Args[1])
        \ttw := tar.NewWriter(os.Stdout)
        \tmtime := time.Unix(1600000000, 0)
        \ttw.WriteHeader(&tar.Header{Name: "/var", Typeflag: tar.TypeDir, Mode: 0555, ModTime: mtime})
        \ttw.WriteHeader(&tar.Header{Name: "ko-app", Typeflag: tar.TypeDir, Mode: 0555})
        \tfor i, name := range []string{"/ko-app/app", "\(longName)", "\(paxName)", "\(unicode)"} {
        \t\th := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0555, Size: int64(len(data))}
        \t\tif i == 2 {
        \t\t\th.ModTime = time.Unix(12, 0)
        \t\t}
        \t\ttw.WriteHeader(h)
        \t\ttw.Write(data)
        \t}
        \ttw.WriteHeader(&tar.Header{Name: "/negative-time", Typeflag: tar.TypeReg, Mode: 0555, Size: 1,
        \t\tModTime: time.Unix(-5, 0)})
        \ttw.Write([]byte{1})
        \ttw.WriteHeader(&tar.Header{Name: "/far-future", Typeflag: tar.TypeReg, Mode: 0555, Size: 1,
        \t\tModTime: time.Unix(1<<34, 0)})
        \ttw.Write([]byte{2})
        \ttw.Close()
        }
        """
        let theirs = directory.path + "/go.tar"
        try runGo(program, arguments: [source], in: directory, stdoutTo: theirs)
        #expect(try sha256Hex(ofFile: ours) == sha256Hex(ofFile: theirs))
    }
}

/// Runs a one-file Go program with `go run`: Go's own archive/tar and
/// compress/gzip are the reference for what ko writes.
func runGo(_ source: String, arguments: [String], in directory: TemporaryDirectory,
           stdoutTo file: String? = nil) throws {
    let goFile = try directory.write("reference/main.go", source)
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["GOCACHE"] ?? NSTemporaryDirectory() + "/ko-swift-test-gocache"
    let goEnvironment = ["GOCACHE": cache, "GO111MODULE": "off", "GOFLAGS": "", "CGO_ENABLED": "0"]
    let result = try runTool("go", ["run", goFile] + arguments, environment: goEnvironment, stdoutTo: file)
    guard result.status == 0 else {
        throw FixtureError("go run failed (\(result.status)); install golang-go: \(result.stderr)")
    }
}
