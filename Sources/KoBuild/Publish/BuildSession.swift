import Foundation
import KoImage
import KoLog

/// One `ko build` run: resolves every target, builds each distinct import
/// path once (each platform in parallel, at most `jobs` compilations at a
/// time) and publishes it. Prints nothing itself.
public final class BuildSession {
    public let options: BuildOptions
    let config: KoConfig
    let toolchain: GoToolchain
    let registry: RegistryClient
    let logger: Logger
    let platforms: [Platform]?
    private let scratch: ScratchDirectory

    public init(options: BuildOptions, credentials: RegistryCredentialSource,
                userAgent: String, logger: Logger) throws {
        self.options = options
        self.logger = logger
        self.config = try KoConfig.load(directory: options.workingDirectory,
                                        environment: options.environment, logger: logger)
        self.platforms = try PlatformSelection.platforms(flags: options.platformFlags,
                                                         defaults: config.defaultPlatforms,
                                                         environment: options.environment)
        self.toolchain = GoToolchain(environment: options.environment, directory: options.workingDirectory)
        self.registry = RegistryClient(credentials: credentials, insecure: options.insecureRegistry,
                                       userAgent: userAgent, logger: logger)
        self.scratch = try ScratchDirectory()
    }

    /// Builds and publishes every target; returns one result per target, in order.
    public func buildAll(_ targets: [String]) throws -> [BuildResult] {
        if options.push, options.dockerRepo == nil { throw BuildError.dockerRepoUnset }
        let packages = try ParallelWork.map(targets, width: options.jobs) { try toolchain.resolve($0) }
        var distinct: [GoPackage] = []
        for package in packages where !distinct.contains(package) { distinct.append(package) }

        // Names are checked before anything is compiled.
        let repositories = try distinct.map { try repository(for: $0) }
        let built = try ParallelWork.map(Array(zip(distinct, repositories)), width: options.jobs) {
            try buildAndPublish($0.0, repository: $0.1)
        }
        return packages.map { package in built[distinct.firstIndex(of: package) ?? 0] }
    }

    private func repository(for package: GoPackage) throws -> String {
        guard let dockerRepo = options.dockerRepo else { return "ko.local/" + package.commandName }
        return try options.naming.repository(for: package.importPath, dockerRepo: dockerRepo)
    }

    private func buildAndPublish(_ package: GoPackage, repository: String) throws -> BuildResult {
        // With one platform known up front, compile before touching the
        // network: a broken program should say so first.
        var compiled: (platform: Platform, binary: String)?
        if let wanted = platforms, wanted.count == 1 {
            compiled = (wanted[0], try compile(package, for: wanted[0]))
        }
        let baseName = config.baseImage(for: package.importPath, environment: options.environment)
        let source = try BaseImageSource.fetch(baseName, registry: registry)
        logger.info("Using base image \(source.reference) for \(package.importPath)")

        switch source {
        case let .image(base):
            let image = try buildImage(package, base: base, platform: try singlePlatform(for: base),
                                       compiled: compiled)
            return try publish(.image(image, base: base), package: package, repository: repository)
        case let .index(reference, _, index):
            let entries = try PlatformMatch.select(platforms, from: index, baseName: reference.description)
            let images = try ParallelWork.map(entries, width: options.jobs) { entry -> (BuiltImage, BaseImage) in
                let child = try registry.manifest(for: reference.repositoryReference.at(entry.digest))
                let base = try BaseImage.fetch(reference, remote: child, registry: registry)
                let platform = entry.platform ?? base.config.platform
                return (try buildImage(package, base: base, platform: platform, compiled: compiled), base)
            }
            // One match gives a plain image, as ko does; several give an index.
            if images.count == 1 {
                return try publish(.image(images[0].0, base: images[0].1), package: package,
                                   repository: repository)
            }
            var mutation = IndexMutation(baseIndex: index)
            for (image, entry) in zip(images.map(\.0), entries) { mutation.append(image, baseEntry: entry) }
            let (bytes, descriptor) = try mutation.build()
            return try publish(.index(bytes: bytes, descriptor: descriptor, images: images), package: package,
                               repository: repository)
        }
    }

    /// The platform to build on a single-platform base: the one wanted, which must be the base's.
    private func singlePlatform(for base: BaseImage) throws -> Platform {
        let offered = base.config.platform
        guard let wanted = platforms else { return offered }
        guard let first = wanted.first else { return offered }
        if !offered.os.isEmpty, !wanted.contains(where: { PlatformMatch.matches(offered, wanted: $0) }) {
            throw BuildError.platformMismatch(base: base.name, wanted: wanted.map(\.description)
                                                  .joined(separator: ","),
                                              available: [offered.description])
        }
        return offered.os.isEmpty ? first : offered
    }

    /// Lays `package`, compiled for `platform` (or reusing `compiled` when it
    /// was built for the same platform), over `base`.
    private func buildImage(_ package: GoPackage, base: BaseImage, platform: Platform,
                            compiled: (platform: Platform, binary: String)?) throws -> BuiltImage {
        let binary: String
        if let compiled, PlatformMatch.matches(platform, wanted: compiled.platform) {
            binary = compiled.binary
        } else {
            binary = try compile(package, for: platform)
        }
        let directory = (binary as NSString).deletingLastPathComponent
        return try ImageAssembly.assemble(package: package, binary: binary, base: base, platform: platform,
                                          environment: options.environment, in: directory)
    }

    /// Compiles `package` for `platform` into a scratch directory of its own.
    private func compile(_ package: GoPackage, for platform: Platform) throws -> String {
        let directory = try scratch.subdirectory(for: package.importPath + "@" + platform.description)
        let binary = directory + "/" + package.commandName
        logger.info("Building \(package.importPath) for \(platform)")
        try toolchain.build(package, platform: platform, output: binary)
        return binary
    }

    /// A built image or index, ready to write and push.
    enum Artifact {
        case image(BuiltImage, base: BaseImage)
        case index(bytes: [UInt8], descriptor: Descriptor, images: [(BuiltImage, BaseImage)])

        var digest: Digest {
            switch self {
            case let .image(image, _): return image.digest
            case let .index(_, descriptor, _): return descriptor.digest
            }
        }
    }

    private func publish(_ artifact: Artifact, package: GoPackage, repository: String) throws -> BuildResult {
        if let layoutPath = options.ociLayoutPath {
            try writeLayout(artifact, to: layoutPath)
        }
        let childReferences: [String]
        if case let .index(_, _, images) = artifact {
            childReferences = images.map { "\(repository)@\($0.0.digest)" }
        } else {
            childReferences = []
        }
        guard options.push else {
            return BuildResult(importPath: package.importPath, reference: "\(repository)@\(artifact.digest)",
                               digest: artifact.digest, children: childReferences)
        }

        let target = try ImageReference(parsing: repository).repositoryReference
        logger.info("Publishing \(target)")
        let publisher = ImagePublisher(registry: registry, logger: logger)
        switch artifact {
        case let .image(image, base):
            try publisher.publish(image, base: base, to: target, tags: options.tags, scratch: scratch.path)
        case let .index(bytes, descriptor, images):
            try ParallelWork.map(images, width: options.jobs) { image, base in
                try publisher.publish(image, base: base, to: target, tags: [], scratch: scratch.path)
            }
            try publisher.publishIndex(bytes: bytes, descriptor: descriptor, to: target, tags: options.tags)
        }
        let reference = "\(repository)\(printedTag)@\(artifact.digest)"
        logger.info("Published \(reference)")
        return BuildResult(importPath: package.importPath, reference: reference, digest: artifact.digest,
                           children: childReferences)
    }

    /// ko shows the tag in the printed reference when exactly one tag other than `latest` was pushed.
    private var printedTag: String {
        options.tags.count == 1 && options.tags[0] != "latest" ? ":\(options.tags[0])" : ""
    }

    private func writeLayout(_ artifact: Artifact, to path: String) throws {
        let layout = try OCILayout(creatingAt: path)
        let refName = options.tags.count == 1 ? options.tags[0] : nil
        switch artifact {
        case let .image(image, base):
            try layout.appendImage(image, baseBlobs: RegistryBlobSource(registry: registry,
                                                                        repository: base.reference.repositoryReference),
                                   refName: refName)
        case let .index(bytes, descriptor, images):
            guard let base = images.first?.1 else { return }
            try layout.appendIndex(bytes: bytes, descriptor: descriptor, images: images.map(\.0),
                                   baseBlobs: RegistryBlobSource(registry: registry,
                                                                 repository: base.reference.repositoryReference),
                                   refName: refName)
        }
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

    /// A directory of its own for one build step.
    func subdirectory(for name: String) throws -> String {
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        let directory = path + "/" + String(safe)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}
