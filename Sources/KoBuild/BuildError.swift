import KoLog

/// Errors from building Go programs into images.
public enum BuildError: Error, CustomStringConvertible, Sendable {
    case toolNotFound(String)
    case toolFailed(String, String)
    case notMainPackage(importPath: String, name: String)
    case packageNotFound(target: String, output: String)
    case compileFailed(importPath: String, output: String)
    case dockerRepoUnset
    case invalidDockerRepo(String, reason: String)
    case invalidConfig(file: String, line: Int?, reason: String)
    case baseImage(reference: String, reason: String)
    case platformMismatch(base: String, wanted: String, available: [String])
    case invalidFlag(String)

    public var description: String {
        switch self {
        case let .toolNotFound(tool):
            return "'\(tool)' was not found on PATH: install it (for Go: apt-get install golang-go)"
        case let .toolFailed(tool, reason):
            return "\(tool) failed: \(reason)"
        case let .notMainPackage(importPath, name):
            return "\(importPath) is not a command: it is 'package \(name)', and only 'package main' "
                + "can be built into an image"
        case let .packageNotFound(target, output):
            return "cannot find Go package '\(target)': \(output)"
        case let .compileFailed(importPath, output):
            let summary = output.split(separator: "\n").first { !$0.hasPrefix("#") }.map { ": " + $0 } ?? ""
            return "go build of \(importPath) failed" + (output.isEmpty ? "" : " (go's messages above)") + summary
        case .dockerRepoUnset:
            return "KO_DOCKER_REPO is not set: say where to push, for example "
                + "'export KO_DOCKER_REPO=127.0.0.1:5000/me', or pass --push=false to only build "
                + "(with --oci-layout-path DIR to keep the image)"
        case let .invalidDockerRepo(repo, reason):
            return "KO_DOCKER_REPO '\(repo)' is not usable: \(reason)"
        case let .invalidConfig(file, line, reason):
            return line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
        case let .baseImage(reference, reason):
            return "base image \(reference): \(reason)"
        case let .platformMismatch(base, wanted, available):
            return "base image \(base) has no \(wanted) image (it has: "
                + "\(available.joined(separator: ", ")))"
        case let .invalidFlag(reason):
            return reason
        }
    }
}

extension BuildError: ToolOutputError {
    /// `go build`'s own messages for a program that does not compile.
    public var toolOutput: String {
        if case let .compileFailed(_, output) = self { return output }
        return ""
    }
}
