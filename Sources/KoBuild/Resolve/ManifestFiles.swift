import Foundation

/// The files `-f/--filename` names, as `ko resolve` and `ko apply` read them.
public enum ManifestFiles {
    /// Expands `-f` arguments into files, in order.
    ///
    /// `-` (standard input) and files named directly are passed through
    /// whatever their extension. A directory contributes its `.yaml`, `.yml`
    /// and `.json` files in name order; its subdirectories only when
    /// `recursive` (`-R`), walked depth first in name order.
    public static func enumerate(_ arguments: [String], recursive: Bool) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            if argument == "-" {
                files.append(argument)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw ResolveError.unreadable(path: argument, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                try walk(argument, recursive: recursive, into: &files)
            } else {
                files.append(argument)
            }
        }
        return files
    }

    /// Reads one file, or standard input for `-`.
    public static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResolveError.unreadable(path: path, reason: "the file cannot be opened")
        }
        return Array(data)
    }

    /// Reads and parses one file; `-` is named "standard input" in messages.
    public static func load(_ path: String) throws -> ResolvableYAML {
        try ResolvableYAML(bytes: try read(path), file: path == "-" ? "standard input" : path)
    }

    static let extensions: Set<String> = ["yaml", "yml", "json"]

    private static func walk(_ directory: String, recursive: Bool, into files: inout [String]) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw ResolveError.unreadable(path: directory, reason: "the directory cannot be listed")
        }
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            // Like filepath.Walk: a symlink is not followed as a directory.
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            if attributes?[.type] as? FileAttributeType == .typeDirectory {
                if recursive { try walk(path, recursive: recursive, into: &files) }
            } else if let dot = name.lastIndex(of: "."), extensions.contains(String(name[name.index(after: dot)...])) {
                files.append(path)
            }
        }
    }
}
