/// A Go package that `ko` was asked to build, as `go list` describes it.
public struct GoPackage: Sendable, Hashable {
    /// The full import path, such as `example.com/hello/cmd/app`.
    public var importPath: String
    /// The package clause: only `main` can become an image.
    public var name: String
    /// The package's source directory; its `kodata` folder is packed.
    public var directory: String
    /// The root of the module the package belongs to: kodata symlinks may not leave it.
    public var moduleRoot: String

    public init(importPath: String, name: String, directory: String, moduleRoot: String) {
        self.importPath = importPath
        self.name = name
        self.directory = directory
        self.moduleRoot = moduleRoot
    }

    /// The last element of the import path: the binary's name in `/ko-app`.
    public var commandName: String {
        importPath.split(separator: "/").last.map(String.init) ?? importPath
    }
}
