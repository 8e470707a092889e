import KoCrypto
import KoJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembered diffIDs of binaries, so that a binary `go build` left
/// untouched is not even read again to find its layer.
///
/// A Go binary is known by its size and build ID (the ELF note `go build`
/// writes, whose last part hashes the content, and which Go itself trusts to
/// skip a link; Go touches an up-to-date output, so its mtime says nothing),
/// but only when the ID has the shape `go build` generates: a user's
/// `-ldflags=-buildid=...` is written as given and says nothing about the
/// content (see `isGeneratedGoBuildID`). Any other file, including a binary
/// with such an ID, is known by its device and inode (so a hard link of it is
/// the same file), its size and its modification time to the nanosecond.
/// The record `layers/files/<key>.json` holds those and the diffID of the
/// binary layer built from it under a given name and compressor. A new file
/// in its place, or a rewrite, changes the inode, size, build ID or mtime,
/// and the layer is then found by hashing as before.
extension LayerCache {
    /// What identifies a file's content without reading it.
    struct FileFingerprint: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        /// `go:<build ID>`, or `mtime:<seconds>.<nanoseconds>`.
        var content: String

        /// `trustsBuildID` false: the build set its own build ID (`-buildid`),
        /// which may look like Go's but says nothing about the content.
        init?(path: String, trustsBuildID: Bool = true) {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            if trustsBuildID, let buildID = FileFingerprint.goBuildID(descriptor),
               FileFingerprint.isGeneratedGoBuildID(buildID) {
                content = "go:" + buildID
            } else {
                content = "mtime:\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            }
        }

        /// The Go build ID note of an ELF binary: namesz 4, descsz, type 4,
        /// name `Go\0\0`, then the ID, within the file's first 32 KiB (where
        /// Go's linker puts it and where `go tool buildid` looks).
        static func goBuildID(_ descriptor: Int32) -> String? {
            var head = [UInt8](repeating: 0, count: 32 << 10)
            let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 16, head[0] == 0x7f, head[1] == 0x45, head[2] == 0x4c, head[3] == 0x46 else { return nil }
            let marker: [UInt8] = [4, 0, 0, 0, 0x47, 0x6f, 0, 0]
            var index = 8
            while index + marker.count <= count {
                if head[index] == 4, Array(head[index..<(index + marker.count)]) == marker,
                   head[index - 8] == 4, head[index - 7] == 0, head[index - 6] == 0, head[index - 5] == 0 {
                    let length = Int(head[index - 4]) | Int(head[index - 3]) << 8
                        | Int(head[index - 2]) << 16 | Int(head[index - 1]) << 24
                    let start = index + marker.count
                    guard length > 0, length <= 1024, start + length <= count else { return nil }
                    let id = head[start..<(start + length)]
                    guard id.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
                    return String(decoding: id, as: UTF8.self)
                }
                index += 4
            }
            return nil
        }

        /// Whether `buildID` has the shape `go build` gives a linked binary,
        /// whose last part is then the hash of the binary's content: four
        /// parts joined by `/` (the link's action ID, the main package's
        /// action and content IDs, the binary's content ID), each 20
        /// characters of base64url (`HashToString` in Go's
        /// `cmd/internal/buildid`; see `updateBuildID` in
        /// `cmd/go/internal/work/buildid.go`). Go leaves an ID given with
        /// `-ldflags=-buildid=...` as it is, so any other shape (a fixed
        /// word, the empty ID) may name different content in each build.
        /// An ID of exactly this shape given by hand is trusted like Go's.
        static func isGeneratedGoBuildID(_ buildID: String) -> Bool {
            let parts = buildID.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { part in
                part.count == 20 && part.allSatisfy(isBase64URL)
            }
        }

        private static func isBase64URL(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }

        /// Whether the content is named by a Go build ID, which hashes it:
        /// then any file with that ID, wherever it is, has that content.
        var isGoBinary: Bool { content.hasPrefix("go:") }

        /// The record's file name stem, for a layer of this file under `name`.
        func recordName(layerName: String, compression: LayerCompression) -> String {
            let file = isGoBinary ? "\(size) \(content)" : "\(device) \(inode)"
            let text = "ko-file 2\n\(file)\n\(layerName)\n\(LayerCacheKey.identity(of: compression))\n"
            return hexString(MessageDigest.sha256(of: Array(text.utf8)))
        }

        var recordText: String { "\(size) \(content)" }
    }

    var filesDirectory: String { directory + "/layers/files" }

    /// The diffID recorded for the file `fingerprint` describes, if its
    /// record is there and still matches.
    func rememberedDiffID(_ fingerprint: FileFingerprint, layerName: String,
                          compression: LayerCompression) -> Digest? {
        let path = filesDirectory + "/" + fingerprint.recordName(layerName: layerName, compression: compression)
            + ".json"
        guard access(path, F_OK) == 0,
              let bytes = try? InputFile.readAll(path: path, limit: 4 << 10),
              let json = try? JSONValue(parsing: bytes, document: "layer cache file record"),
              json["file"]?.stringValue == fingerprint.recordText,
              let text = json["diffID"]?.stringValue, let diffID = try? Digest(parsing: text) else { return nil }
        return diffID
    }

    /// Records that the file `fingerprint` describes has layer `diffID`.
    func remember(_ diffID: Digest, for fingerprint: FileFingerprint, layerName: String,
                  compression: LayerCompression) {
        let path = filesDirectory + "/" + fingerprint.recordName(layerName: layerName, compression: compression)
            + ".json"
        let record = JSONValue.object([
            "file": .string(fingerprint.recordText), "diffID": .string(diffID.description),
        ]).canonicalBytes
        do {
            try LayerBuilder.makeDirectory(filesDirectory, mode: 0o700)
            try OutputFile.writeAtomically(record, to: path)
        } catch {
            reportUnwritable("\(error)")
        }
    }
}
