import Foundation
import KoImage
import KoLog

/// One `ko build` run: resolves every target, builds each image once and
/// publishes it, printing nothing itself (the caller prints the references).
public final class BuildSession {
    public let options: BuildOptions
    let config: KoConfig
    let toolchain: GoToolchain
    let registry: RegistryClient
    let logger: Logger

    public init(options: BuildOptions, credentials: RegistryCredentialSource,
                userAgent: String, logger: Logger) throws {
        self.options = options
        self.logger = logger
        self.config = try KoConfig.load(directory: options.workingDirectory,
                                        environment: options.environment, logger: logger)
        self.toolchain = GoToolchain(environment: options.environment, directory: options.workingDirectory)
        self.registry = RegistryClient(credentials: credentials, insecure: options.insecureRegistry,
                                       userAgent: userAgent, logger: logger)
    }

    /// Builds and publishes every target; returns one reference per target, in order.
    public func buildAll(_ targets: [String]) throws -> [String] {
        if options.push, options.dockerRepo == nil { throw BuildError.dockerRepoUnset }
        let packages = try targets.map { try toolchain.resolve($0) }
        let scratch = try ScratchDirectory()
        var references: [String] = []
        for package in packages {
            references.append(try buildAndPublish(package, scratch: scratch))
        }
        return references
    }

    private func buildAndPublish(_ package: GoPackage, scratch: ScratchDirectory) throws -> String {
        let platform = options.platforms[0]
        // Compile first: a broken program should fail fast, before any network.
        logger.info("Building \(package.importPath) for \(platform)")
        let directory = try scratch.subdirectory(for: package.importPath)
        let binary = directory + "/" + package.commandName
        try toolchain.build(package, platform: platform, output: binary)

        let baseName = config.baseImage(for: package.importPath, environment: options.environment)
        logger.info("Using base image \(baseName) for \(package.importPath)")
        let base = try BaseImage.fetch(baseName, platform: platform, registry: registry)

        let image = try ImageAssembly.assemble(package: package, binary: binary, base: base,
                                               platform: platform, environment: options.environment,
                                               in: directory)
        let repository = try options.dockerRepo.map {
            try options.naming.repository(for: package.importPath, dockerRepo: $0)
        } ?? "ko.local/" + package.commandName

        if let layoutPath = options.ociLayoutPath {
            let layout = try OCILayout(creatingAt: layoutPath)
            try layout.appendImage(image, baseBlobs: RegistryBlobSource(registry: registry,
                                                                        repository: base.reference.repositoryReference),
                                   refName: options.tags.count == 1 ? options.tags[0] : nil, platform: platform)
        }
        guard options.push else {
            return "\(repository)@\(image.digest)"
        }
        let target = try ImageReference(parsing: repository)
        logger.info("Publishing \(target.repositoryReference)")
        try ImagePublisher(registry: registry, logger: logger)
            .publish(image, base: base, to: target.repositoryReference, tags: options.tags, scratch: directory)
        logger.info("Published \(repository)@\(image.digest)")
        let tagPart = options.tags.count == 1 && options.tags[0] != "latest" ? ":\(options.tags[0])" : ""
        return "\(repository)\(tagPart)@\(image.digest)"
    }
}

/// A private directory for one run's binaries and layers, removed afterwards.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ko-build.XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw BuildError.toolFailed("ko", "cannot create a temporary directory in \(NSTemporaryDirectory())")
        }
        path = String(cString: created)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A directory of its own for one import path.
    func subdirectory(for importPath: String) throws -> String {
        let name = importPath.replacingOccurrences(of: "/", with: "_")
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}
