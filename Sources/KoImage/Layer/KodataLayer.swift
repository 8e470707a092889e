#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The layer holding a package's `kodata` directory at `/var/run/ko`.
///
/// Matches ko's `tarKoData`: directory entries `/var`, `/var/run` and
/// `/var/run/ko` first, then every file under `kodata` in `filepath.Walk`
/// order (each directory's names sorted bytewise, depth first) as
/// `/var/run/ko/<relative path>`. Subdirectories get no entries of their own.
/// Symlinks are followed and their targets' content stored; a symlink to a
/// directory is walked in place. Everything has mode 0555, uid/gid 0 and
/// mtime `dataDate` (KO_DATA_DATE_EPOCH, else 0). A missing `kodata` gives a
/// layer with just the three directories, as in ko.
///
/// Beyond ko: a symlink whose resolved target lies outside the module root
/// is refused, so a build never ships files from elsewhere on the machine.
public enum KodataLayer {
    /// Where kodata lives in the image (`KO_DATA_PATH`).
    public static let root = "/var/run/ko"

    /// Builds the kodata layer of the package in `packageDirectory`, whose Go
    /// module lives at `moduleRoot`, writing the compressed blob into `directory`.
    public static func build(packageDirectory: String, moduleRoot: String, dataDate: Int64 = 0,
                             in directory: String, mediaType: String = MediaType.ociLayerGzip,
                             compression: LayerCompression = .default,
                             progress: ((Int64) -> Void)? = nil) throws -> Layer {
        let resolvedModuleRoot = try checkModuleRoot(moduleRoot)
        return try Layer.build(in: directory, mediaType: mediaType, compression: compression,
                               progress: progress) { tar in
            try addEntries(to: tar, packageDirectory: packageDirectory, resolvedModuleRoot: resolvedModuleRoot,
                           dataDate: dataDate)
        }
    }

    /// The canonical path of `moduleRoot`, which must be a directory.
    static func checkModuleRoot(_ moduleRoot: String) throws -> String {
        guard let moduleInfo = statInfo(moduleRoot), moduleInfo.isDirectory else {
            throw LayerError.cannotOpen(path: moduleRoot, reason: "the module root is not a directory")
        }
        return try resolve(moduleRoot, link: moduleRoot)
    }

    /// Writes the layer's tar entries (no compression) to `tar`.
    static func addEntries(to tar: TarWriter, packageDirectory: String, resolvedModuleRoot: String,
                           dataDate: Int64) throws {
        let kodata = TarHeader.joinClean([packageDirectory, "kodata"])
        for entry in ["/var", "/var/run", "/var/run/ko"] {
            try tar.addDirectory(entry, mode: 0o555, modificationTime: dataDate)
        }
        var walker = Walker(tar: tar, moduleRoot: resolvedModuleRoot, dataDate: dataDate)
        // filepath.Walk looks at the root with lstat: a missing kodata, or
        // one that is itself a symlink or a file, contributes nothing.
        guard let info = lstatInfo(kodata), info.isDirectory else { return }
        try walker.walk(directory: kodata, inImageAs: root, ancestors: [try resolve(kodata, link: kodata)])
    }

    // MARK: - Walking

    private struct Walker {
        let tar: TarWriter
        let moduleRoot: String
        let dataDate: Int64

        /// Walks `directory`; `ancestors` are the resolved paths of the
        /// directories being walked, the last being `directory` itself.
        mutating func walk(directory: String, inImageAs imagePath: String, ancestors: [String]) throws {
            let resolvedDirectory = ancestors.last ?? directory
            for name in try KodataLayer.sortedNames(in: directory) {
                let hostPath = directory + "/" + name
                let entryPath = imagePath + "/" + name
                guard let info = KodataLayer.lstatInfo(hostPath) else {
                    throw LayerError.readFailed(path: hostPath, reason: LayerError.errnoText())
                }
                if info.isDirectory {
                    try walk(directory: hostPath, inImageAs: entryPath,
                             ancestors: ancestors + [resolvedDirectory + "/" + name])
                    continue
                }
                var sourcePath = hostPath
                if info.isSymlink {
                    sourcePath = try KodataLayer.resolve(hostPath, link: hostPath)
                    guard sourcePath == moduleRoot || sourcePath.hasPrefix(moduleRoot + "/")
                            || moduleRoot == "/" else {
                        throw LayerError.symlinkEscapesModule(link: hostPath, target: sourcePath,
                                                              moduleRoot: moduleRoot)
                    }
                }
                guard let target = KodataLayer.statInfo(sourcePath) else {
                    throw LayerError.unresolvableSymlink(link: hostPath, reason: LayerError.errnoText())
                }
                if target.isDirectory {
                    if ancestors.contains(sourcePath) {
                        throw LayerError.unresolvableSymlink(
                            link: hostPath, reason: "it points back to \(sourcePath), which would recurse forever")
                    }
                    try walk(directory: sourcePath, inImageAs: entryPath, ancestors: ancestors + [sourcePath])
                    continue
                }
                guard target.isRegular else {
                    throw LayerError.unsupportedFileType(path: hostPath, kind: target.kindName)
                }
                try tar.addFile(entryPath, contentsOf: sourcePath, mode: 0o555, modificationTime: dataDate)
            }
        }
    }

    // MARK: - File system

    struct FileInfo {
        let mode: mode_t

        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
        var isRegular: Bool { mode & S_IFMT == S_IFREG }
        var isSymlink: Bool { mode & S_IFMT == S_IFLNK }
        var kindName: String {
            switch mode & S_IFMT {
            case S_IFIFO: return "named pipe"
            case S_IFSOCK: return "socket"
            case S_IFCHR: return "character device"
            case S_IFBLK: return "block device"
            default: return "special file"
            }
        }
    }

    static func lstatInfo(_ path: String) -> FileInfo? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileInfo(mode: info.st_mode)
    }

    static func statInfo(_ path: String) -> FileInfo? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileInfo(mode: info.st_mode)
    }

    /// The canonical absolute path of `path`, all symlinks resolved.
    static func resolve(_ path: String, link: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            throw LayerError.unresolvableSymlink(link: link, reason: LayerError.errnoText())
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The names in `directory`, without `.` and `..`, sorted bytewise as Go sorts them.
    static func sortedNames(in directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            throw LayerError.readFailed(path: directory, reason: LayerError.errnoText())
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
