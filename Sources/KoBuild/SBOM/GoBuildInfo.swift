import Foundation
import KoProcess

/// What a Go binary says about how it was built (`go version -m`), the way
/// Go's `runtime/debug.ParseBuildInfo` reads it.
public struct GoBuildInfo: Sendable, Equatable {
    /// A module the binary was built from.
    public struct Module: Sendable, Equatable {
        public var path: String
        public var version: String
        /// The `h1:` go.sum hash; empty for the main module and local replacements.
        public var sum: String
        /// What a `replace` directive put in its place, if anything.
        public var replacement: Replacement?

        public init(path: String, version: String, sum: String = "", replacement: Replacement? = nil) {
            self.path = path
            self.version = version
            self.sum = sum
            self.replacement = replacement
        }
    }

    /// The target of a `replace` (a module, or a local directory with version `(devel)`).
    public struct Replacement: Sendable, Equatable {
        public var path: String
        public var version: String
        public var sum: String
    }

    /// The Go release that built the binary, such as `go1.19.8`.
    public var goVersion: String?
    /// The main package's import path.
    public var path: String?
    /// The main module.
    public var main: Module?
    /// Every other module linked in, in the order Go lists them.
    public var dependencies: [Module] = []
    /// `build` settings (`-compiler=gc`, `GOOS=linux`, ...), in order.
    public var settings: [(key: String, value: String)] = []

    public init() {}

    public static func == (lhs: GoBuildInfo, rhs: GoBuildInfo) -> Bool {
        lhs.goVersion == rhs.goVersion && lhs.path == rhs.path && lhs.main == rhs.main
            && lhs.dependencies == rhs.dependencies
            && lhs.settings.map(\.key) == rhs.settings.map(\.key)
            && lhs.settings.map(\.value) == rhs.settings.map(\.value)
    }

    /// Parses the output of `go version -m BINARY`: a first line
    /// `BINARY: goX.Y`, then tab-indented `path`, `mod`, `dep`, `=>` and
    /// `build` lines. Lines of other kinds are ignored, as Go ignores them.
    public init(goVersionOutput text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = lines.first, let colon = first.range(of: ": go", options: .backwards) {
            goVersion = String(first[first.index(after: colon.lowerBound)...].drop { $0 == " " })
        }
        for (number, rawLine) in lines.enumerated().dropFirst() {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let kind = fields.first, fields.count > 1 else { continue }
            let failure = { (reason: String) in
                SBOMError.invalidBuildInfo(line: number + 1, text: String(line), reason: reason)
            }
            switch kind {
            case "go":
                goVersion = fields[1]
            case "path":
                path = fields[1]
            case "mod", "dep":
                guard (3...4).contains(fields.count), !fields[1].isEmpty else {
                    throw failure("expected '\(kind)', a module path, a version and an optional sum")
                }
                let module = Module(path: fields[1], version: fields[2], sum: fields.count == 4 ? fields[3] : "")
                if kind == "mod" { main = module } else { dependencies.append(module) }
            case "=>":
                guard (3...4).contains(fields.count), !fields[1].isEmpty else {
                    throw failure("expected '=>', a module path or directory, a version and an optional sum")
                }
                let replacement = Replacement(path: fields[1], version: fields[2],
                                              sum: fields.count == 4 ? fields[3] : "")
                if !dependencies.isEmpty, dependencies[dependencies.count - 1].replacement == nil {
                    dependencies[dependencies.count - 1].replacement = replacement
                } else if dependencies.isEmpty, main != nil, main?.replacement == nil {
                    main?.replacement = replacement
                } else {
                    throw failure("a replacement must follow the module it replaces")
                }
            case "build":
                let setting = fields.dropFirst().joined(separator: "\t")
                guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                    throw failure("a build setting must be key=value")
                }
                settings.append((String(setting[..<equals]), String(setting[setting.index(after: equals)...])))
            default:
                continue
            }
        }
    }

    /// Reads `binary`'s build information in-process when it can (see
    /// `embeddedText(binary:)`), else runs `go version -m` and parses what it prints.
    public static func read(binary: String, environment: [String: String]) throws -> GoBuildInfo {
        if let text = embeddedText(binary: binary) { return try GoBuildInfo(goVersionOutput: text) }
        let result = try ChildProcess.run("go", ["version", "-m", binary], environment: environment)
        guard result.status == 0 else {
            let output = (result.errorText + result.outputText).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SBOMError.goVersionFailed(binary: binary, output: output)
        }
        return try GoBuildInfo(goVersionOutput: result.outputText)
    }
}
