/// The layer holding the Go binary, laid out as ko lays it out.
///
/// ko's `tarBinary` writes a directory entry named `ko-app` (no leading
/// slash) and then the file `/ko-app/<name>`, both mode 0555, uid/gid 0 and
/// mtime 0 whatever SOURCE_DATE_EPOCH says.
public enum BinaryLayer {
    /// Where binaries live in the image.
    public static let appDirectory = "/ko-app"

    /// The in-image path of the binary called `name`: `/ko-app/<name>`.
    public static func appPath(for name: String) -> String {
        TarHeader.joinClean([appDirectory, name])
    }

    /// Builds the binary layer for `binary` (a file on disk) installed as
    /// `name`, writing the compressed blob into `directory`.
    public static func build(binary: String, name: String, in directory: String,
                             mediaType: String = MediaType.ociLayerGzip,
                             compression: LayerCompression = .default,
                             progress: ((Int64) -> Void)? = nil) throws -> Layer {
        try checkName(name)
        return try Layer.build(in: directory, mediaType: mediaType, compression: compression,
                               progress: progress) { tar in
            try addEntries(to: tar, binary: binary, name: name)
        }
    }

    /// Writes the layer's tar entries (no compression) to `tar`.
    static func addEntries(to tar: TarWriter, binary: String, name: String) throws {
        try tar.addDirectory("ko-app", mode: 0o555)
        try tar.addFile(appPath(for: name), contentsOf: binary, mode: 0o555)
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.contains("/") else {
            throw LayerError.invalidEntryName(name, reason: "a binary name must be one path element")
        }
    }
}
