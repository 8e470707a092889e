import Foundation
import TestSupport
import Testing
@testable import KoImage

/// Layer files, the binary layer and the kodata layer.
struct LayerTests {
    @Test func diffIDAndDigestMatchWhatGzipAndSha256Say() throws {
        let work = try TemporaryDirectory()
        let binary = try work.write("app", String(repeating: "\u{7f}ELF binary ", count: 10_000))
        let layer = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/layers")

        #expect(layer.path == work.path + "/layers/sha256-\(layer.digest.hex).tar.gz")
        #expect(try sha256Hex(ofFile: layer.path) == layer.digest.hex)
        let attributes = try FileManager.default.attributesOfItem(atPath: layer.path)
        #expect((attributes[.size] as? NSNumber)?.int64Value == layer.descriptor.size)
        #expect(layer.descriptor.mediaType == MediaType.ociLayerGzip)

        let tarPath = work.path + "/layer.tar"
        try requireTool("gzip", ["-dc", layer.path], stdoutTo: tarPath)
        #expect(try sha256Hex(ofFile: tarPath) == layer.diffID.hex)
        let attributesTar = try FileManager.default.attributesOfItem(atPath: tarPath)
        #expect((attributesTar[.size] as? NSNumber)?.int64Value == layer.uncompressedSize)
    }

    @Test func binaryLayerIsLaidOutAsKoDoes() throws {
        let work = try TemporaryDirectory()
        let binary = try work.write("out", "binary")
        let layer = try BinaryLayer.build(binary: binary, name: "hello", in: work.path)
        let tarPath = work.path + "/layer.tar"
        try requireTool("gzip", ["-dc", layer.path], stdoutTo: tarPath)
        let listing = try requireTool("tar", ["--numeric-owner", "--utc", "-tvf", tarPath]).text
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        try #require(lines.count == 2, "\(listing)")
        #expect(lines[0][0] == "dr-xr-xr-x" && lines[0][1] == "0/0" && lines[0].last == "ko-app")
        #expect(lines[1][0] == "-r-xr-xr-x" && lines[1][1] == "0/0" && lines[1][2] == "6")
        #expect(lines[1][3] == "1970-01-01" && lines[1].last == "/ko-app/hello")
        #expect(BinaryLayer.appPath(for: "hello") == "/ko-app/hello")
    }

    @Test func sameInputGivesSameDigestEveryTime() throws {
        let work = try TemporaryDirectory()
        let binary = try work.write("out", String(repeating: "abc", count: 100_000))
        try work.write("pkg/kodata/b.txt", "b")
        try work.write("pkg/kodata/a/c.txt", "c")
        let first = try BinaryLayer.build(binary: binary, name: "x", in: work.path + "/one")
        let second = try BinaryLayer.build(binary: binary, name: "x", in: work.path + "/two")
        #expect(first.descriptor == second.descriptor && first.diffID == second.diffID)
        let dataOne = try KodataLayer.build(packageDirectory: work.path + "/pkg", moduleRoot: work.path,
                                            in: work.path + "/one")
        let dataTwo = try KodataLayer.build(packageDirectory: work.path + "/pkg", moduleRoot: work.path,
                                            in: work.path + "/two")
        #expect(dataOne.descriptor == dataTwo.descriptor && dataOne.diffID == dataTwo.diffID)
    }

    @Test func kodataLayerListsDirectoriesThenFilesInWalkOrder() throws {
        let module = try TemporaryDirectory()
        try module.write("go.mod", "module example.com/m\n")
        try module.write("cmd/app/kodata/a.txt", "a")
        try module.write("cmd/app/kodata/a/z.txt", "z")
        try module.write("cmd/app/kodata/B.txt", "B")
        try module.write("shared/logo.svg", "<svg/>")
        try module.write("shared/dir/inner.txt", "inner")
        try module.symlink("cmd/app/kodata/logo.svg", to: "../../../shared/logo.svg")
        try module.symlink("cmd/app/kodata/linked", to: module.path + "/shared/dir")

        let layer = try KodataLayer.build(packageDirectory: module.path + "/cmd/app", moduleRoot: module.path,
                                          dataDate: 1_000_000, in: module.path + "/out")
        let tarPath = module.path + "/layer.tar"
        try requireTool("gzip", ["-dc", layer.path], stdoutTo: tarPath)
        let listing = try requireTool("tar", ["--numeric-owner", "--utc", "-tvf", tarPath]).text
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.map { String($0.last ?? "") } == [
            "/var", "/var/run", "/var/run/ko",
            "/var/run/ko/B.txt", "/var/run/ko/a/z.txt", "/var/run/ko/a.txt",
            "/var/run/ko/linked/inner.txt", "/var/run/ko/logo.svg",
        ])
        for line in lines {
            #expect(line[1] == "0/0")
            #expect(line[3] == "1970-01-12")  // 1,000,000 s after the epoch
        }
        #expect(lines.prefix(3).allSatisfy { $0[0] == "dr-xr-xr-x" })
        #expect(lines.dropFirst(3).allSatisfy { $0[0] == "-r-xr-xr-x" })
        let logo = lines.first { $0.last == "/var/run/ko/logo.svg" }
        #expect(logo?[2] == "6")
    }

    @Test func missingKodataGivesOnlyTheDirectories() throws {
        let module = try TemporaryDirectory()
        try module.write("cmd/app/main.go", "package main")
        let layer = try KodataLayer.build(packageDirectory: module.path + "/cmd/app", moduleRoot: module.path,
                                          in: module.path + "/out")
        let tarPath = module.path + "/layer.tar"
        try requireTool("gzip", ["-dc", layer.path], stdoutTo: tarPath)
        let names = try requireTool("tar", ["-tf", tarPath]).text.split(separator: "\n")
        #expect(names == ["/var", "/var/run", "/var/run/ko"])
    }

    @Test func kodataSymlinkOutsideTheModuleIsRefused() throws {
        let module = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        let secret = try outside.write("secret.txt", "do not ship")
        try module.write("cmd/app/kodata/ok.txt", "ok")
        try module.symlink("cmd/app/kodata/leak.txt", to: secret)
        do {
            _ = try KodataLayer.build(packageDirectory: module.path + "/cmd/app", moduleRoot: module.path,
                                      in: module.path + "/out")
            Issue.record("a symlink leaving the module was accepted")
        } catch let error as LayerError {
            guard case let .symlinkEscapesModule(link, _, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(link.hasSuffix("kodata/leak.txt"))
            #expect(error.description.contains("leak.txt"))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: module.path + "/out")
        #expect(leftovers.isEmpty, "a failed build left \(leftovers)")
    }

    @Test func kodataSymlinkLoopIsRefused() throws {
        let module = try TemporaryDirectory()
        try module.write("cmd/app/kodata/sub/file.txt", "f")
        try module.symlink("cmd/app/kodata/sub/loop", to: "..")
        #expect(throws: LayerError.self) {
            try KodataLayer.build(packageDirectory: module.path + "/cmd/app", moduleRoot: module.path,
                                  in: module.path + "/out")
        }
    }

    /// ko's own tar code, run by Go, gives the same uncompressed layer: our
    /// diffIDs equal ko's.
    @Test func kodataAndBinaryDiffIDsMatchKosTarCode() throws {
        let module = try TemporaryDirectory()
        try module.write("cmd/app/kodata/index.html", "<h1>hi</h1>")
        try module.write("cmd/app/kodata/static/app.js", String(repeating: "js", count: 5000))
        try module.write("cmd/app/kodata/" + String(repeating: "l", count: 120) + ".txt", "long")
        try module.write("assets/shared.css", "body{}")
        try module.symlink("cmd/app/kodata/shared.css", to: "../../../assets/shared.css")
        let binary = try module.write("out/app", String(repeating: "\u{1}", count: 70_000))

        let kodata = try KodataLayer.build(packageDirectory: module.path + "/cmd/app", moduleRoot: module.path,
                                           dataDate: 315_532_800, in: module.path + "/layers")
        let binaryLayer = try BinaryLayer.build(binary: binary, name: "app", in: module.path + "/layers")

        // The reference program follows ko's tarKoData/walkRecursive/tarBinary.
        let program = """
        package main

        import (
        \t"archive/tar"
        \t"io"
        \t"os"
        \t"path"
        \t"path/filepath"
        \t"time"
        )

        func walk(tw *tar.Writer, root, chroot string, mtime time.Time) error {
        \treturn filepath.Walk(root, func(hostPath string, info os.FileInfo, err error) error {
        \t\tif hostPath == root {
        \t\t\treturn nil
        \t\t}
        \t\tif err != nil {
        \t\t\treturn err
        \t\t}
        \t\tif info.Mode().IsDir() {
        \t\t\treturn nil
        \t\t}
        \t\tnewPath := path.Join(chroot, filepath.ToSlash(hostPath[len(root):]))
        \t\tevalPath, err := filepath.EvalSymlinks(hostPath)
        \t\tif err != nil {
        \t\t\treturn err
        \t\t}
        \t\tinfo, err = os.Stat(evalPath)
        \t\tif err != nil {
        \t\t\treturn err
        \t\t}
        \t\tif info.Mode().IsDir() {
        \t\t\treturn walk(tw, evalPath, newPath, mtime)
        \t\t}
        \t\tfile, err := os.Open(evalPath)
        \t\tif err != nil {
        \t\t\treturn err
        \t\t}
        \t\tdefer file.Close()
        \t\tif err := tw.WriteHeader(&tar.Header{Name: newPath, Size: info.Size(), Typeflag: tar.TypeReg,
        \t\t\tMode: 0555, ModTime: mtime}); err != nil {
        \t\t\treturn err
        \t\t}
        \t\t_, err = io.Copy(tw, file)
        \t\treturn err
        \t})
        }

        func main() {
        \tif os.Args[1] == "kodata" {
        \t\tmtime := time.Unix(315532800, 0)
        \t\ttw := tar.NewWriter(os.Stdout)
        \t\tfor _, dir := range []string{"/var", "/var/run", "/var/run/ko"} {
        \t\t\ttw.WriteHeader(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0555, ModTime: mtime})
        \t\t}
        \t\tif err := walk(tw, os.Args[2], "/var/run/ko", mtime); err != nil {
        \t\t\tpanic(err)
        \t\t}
        \t\ttw.Close()
        \t\treturn
        \t}
        \ttw := tar.NewWriter(os.Stdout)
        \ttw.WriteHeader(&tar.Header{Name: "ko-app", Typeflag: tar.TypeDir, Mode: 0555})
        \tfile, _ := os.Open(os.Args[2])
        \tstat, _ := file.Stat()
        \ttw.WriteHeader(&tar.Header{Name: "/ko-app/app", Size: stat.Size(), Typeflag: tar.TypeReg, Mode: 0555})
        \tio.Copy(tw, file)
        \ttw.Close()
        }
        """
        let kodataTar = module.path + "/go-kodata.tar"
        try runGo(program, arguments: ["kodata", module.path + "/cmd/app/kodata"], in: module, stdoutTo: kodataTar)
        #expect(try sha256Hex(ofFile: kodataTar) == kodata.diffID.hex)
        let binaryTar = module.path + "/go-binary.tar"
        try runGo(program, arguments: ["binary", binary], in: module, stdoutTo: binaryTar)
        #expect(try sha256Hex(ofFile: binaryTar) == binaryLayer.diffID.hex)
    }

    /// A 200 MB sparse binary is streamed through tar, gzip and sha256; the
    /// layer must still be correct (checked against gzip and sha256sum).
    @Test func largeSparseBinaryIsStreamed() throws {
        let work = try TemporaryDirectory()
        let binary = work.path + "/big"
        try requireTool("truncate", ["-s", "200M", binary])
        let tail = try FileHandle(forWritingTo: URL(fileURLWithPath: binary))
        try tail.seek(toOffset: 150_000_000)
        try tail.write(contentsOf: Data("marker in the middle".utf8))
        try tail.close()

        let layer = try BinaryLayer.build(binary: binary, name: "big", in: work.path + "/layers")
        #expect(layer.uncompressedSize > 200_000_000)
        #expect(layer.descriptor.size < 2_000_000)
        #expect(try sha256Hex(ofFile: layer.path) == layer.digest.hex)
        let sum = try requireTool("sh", ["-c", "gzip -dc \"$0\" | sha256sum", layer.path]).text
        #expect(sum.hasPrefix(layer.diffID.hex))
    }
}
