import Foundation
import KoLog
import KoProcess

/// A kind cluster, for `KO_DOCKER_REPO=kind.local`: images are loaded into
/// every node's containerd by the `kind` command.
///
/// ko imports a tarball into each node with `ctr images import` and then
/// runs `ctr images tag` for each tag; `kind load image-archive` does the
/// import, and the tags ride along as the tarball's `RepoTags` (containerd
/// names the image with each), which ends in the same names.
public struct KindCluster: Sendable {
    /// The cluster's name (`KIND_CLUSTER_NAME`, default `kind`).
    public var name: String
    /// The `kind` executable, or nil when none was found.
    public var executable: String?
    /// The environment `kind` runs with (it reads e.g. `KUBECONFIG` and
    /// `KIND_EXPERIMENTAL_PROVIDER`); nil for this process's own.
    public var environment: [String: String]?
    let logger: Logger

    /// The default cluster name, as kind's own.
    public static let defaultName = "kind"

    public init(name: String = KindCluster.defaultName, executable: String?,
                environment: [String: String]? = nil, logger: Logger = .silent) {
        self.name = name
        self.executable = executable
        self.environment = environment
        self.logger = logger
    }

    /// The cluster `KIND_CLUSTER_NAME` names and the `kind` found on `PATH`.
    public static func fromEnvironment(_ environment: [String: String], logger: Logger = .silent) -> KindCluster {
        let name = environment["KIND_CLUSTER_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultName
        return KindCluster(name: name, executable: findExecutable("kind", path: environment["PATH"]),
                           environment: environment, logger: logger)
    }

    /// Loads `images` into every node of the cluster, named by their digest
    /// and tag references; returns the digest references in order.
    @discardableResult
    public func load(_ images: [DaemonImage], temporaryDirectory: String? = nil) throws -> [String] {
        guard !images.isEmpty else { throw DaemonError.noImages }
        guard let executable else { throw DaemonError.kindNotFound(cluster: name) }
        try DaemonArchive.withTarball(of: KindCluster.archiveEntries(images), in: temporaryDirectory) { path, _ in
            logger.debug("loading \(images.map(\.digestReference).joined(separator: ", ")) into kind cluster \(name)")
            try run(executable, loadArguments(archive: path))
        }
        return images.map(\.digestReference)
    }

    /// `kind load image-archive ARCHIVE --name CLUSTER`.
    func loadArguments(archive: String) -> [String] {
        ["load", "image-archive", archive, "--name", name]
    }

    /// Each image named by its digest reference and then its tags.
    static func archiveEntries(_ images: [DaemonImage]) -> [DockerTarball.Entry] {
        images.map {
            DockerTarball.Entry(image: $0.image, tags: [$0.digestReference] + $0.tagReferences,
                                baseBlobs: $0.baseBlobs)
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        let outcome: ChildProcess.Outcome
        do {
            let child = ChildProcess(executable: executable, arguments: arguments, environment: environment)
            outcome = try child.run()
        } catch {
            throw DaemonError.kindFailed(cluster: name, status: -1, output: "cannot run \(executable): \(error)")
        }
        let text = (outcome.errorText + outcome.outputText).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { logger.debug("kind: \(text)") }
        guard outcome.status == 0 else {
            let tail = text.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw DaemonError.kindFailed(cluster: name, status: outcome.status, output: tail)
        }
    }

    /// The first executable file called `name` on `path`; none without a PATH.
    static func findExecutable(_ name: String, path: String?) -> String? {
        path.flatMap { ChildProcess.resolve(name, searchPath: $0) }
    }
}
