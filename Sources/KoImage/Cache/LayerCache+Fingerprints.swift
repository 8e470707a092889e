import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembered diffIDs of binaries, so that a binary `go build` left
/// untouched is not even read again to find its layer.
///
/// A file is known by its device and inode (so a hard link of it is the same
/// file), its size and its modification time to the nanosecond; the record
/// `layers/files/<key>.json` holds those and the diffID of the binary layer
/// built from it under a given name and compressor. Any write to the file,
/// or a new file in its place, changes the inode, size or mtime, and the
/// layer is then found by hashing as before.
extension LayerCache {
    /// What identifies a file's content without reading it.
    struct FileFingerprint: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        }

        /// The record's file name stem, for a layer of this file under `name`.
        func recordName(layerName: String, compression: LayerCompression) -> String {
            let text = "ko-file 1\n\(device) \(inode)\n\(layerName)\n\(LayerCacheKey.identity(of: compression))\n"
            return hexString(MessageDigest.sha256(of: Array(text.utf8)))
        }

        var recordText: String { "\(size) \(modifiedSeconds) \(modifiedNanoseconds)" }
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
        let record = CanonicalJSON.encode(JSONValue.object([
            "file": .string(fingerprint.recordText), "diffID": .string(diffID.description),
        ]))
        do {
            try LayerCache.makePrivateDirectory(filesDirectory)
            try OutputFile.writeAtomically(record, to: path)
        } catch {
            reportUnwritable("\(error)")
        }
    }
}
