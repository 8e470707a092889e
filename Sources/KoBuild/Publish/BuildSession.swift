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
    let progress: ProgressReporter
    let platforms: [Platform]?
    let planner: GoBuildPlanner
    /// Compressed layers of earlier builds (`KOCACHE`), so an unchanged binary is not compressed again.
    let cache: LayerCache?
    let scratch: ScratchDirectory
    /// Everything built this run, kept for `--tarball`, which holds them all in one file.
    private var artifacts: [(artifact: Artifact, repository: String)] = []
    private let artifactsLock = NSLock()
    /// SBOM bytes by the digest of the image or index they describe.
    private var sboms: [Digest: [UInt8]] = [:]
    /// Children of an index already pushed as soon as they were built.
    private var pushedEarly: Set<Digest> = []
    /// Binaries compiled together ahead of their builds, by `compileKey`.
    private var compiledAhead: [String: String] = [:]
    /// Programs whose "Building" line was printed when they were compiled
    /// together; one that failed there is compiled again without a second line.
    private var announcedAhead: Set<String> = []

    public init(options: BuildOptions, credentials: RegistryCredentialSource,
                userAgent: String, logger: Logger, progress: ProgressReporter = .silent) throws {
        self.options = options
        self.logger = logger
        self.progress = progress
        self.config = try KoConfig.load(directory: options.workingDirectory,
                                        environment: options.environment, logger: logger)
        self.platforms = try PlatformSelection.platforms(flags: options.platformFlags,
                                                         defaults: config.defaultPlatforms,
                                                         environment: options.environment)
        self.toolchain = GoToolchain(environment: options.environment, directory: options.workingDirectory)
        self.planner = try GoBuildPlanner(config: config, options: options)
        self.cache = LayerCache.fromEnvironment(options.environment, logger: logger)
        self.registry = RegistryClient(credentials: credentials, insecure: options.insecureRegistry,
                                       userAgent: userAgent, logger: logger)
        self.scratch = try ScratchDirectory()
    }

    /// Builds and publishes every target; returns one result per target, in order.
    public func buildAll(_ targets: [String]) throws -> [BuildResult] {
        if options.push, options.dockerRepo == nil, options.destination == .registry {
            throw BuildError.dockerRepoUnset
        }
        if options.tagOnly, options.tags.count != 1 {
            throw BuildError.invalidFlag("--tag-only needs exactly one tag, got \(options.tags.count): "
                + "pass one with -t")
        }
        let packages = try toolchain.resolveAll(targets, width: options.jobs)
        var distinct: [GoPackage] = []
        for package in packages where !distinct.contains(package) { distinct.append(package) }

        // Names are checked before anything is compiled.
        let repositories = try distinct.map { try repository(for: $0) }
        let ahead = compileTogether(distinct)
        artifactsLock.withLock { (compiledAhead, announcedAhead) = (ahead.binaries, ahead.announced) }
        let built = try ParallelWork.map(Array(zip(distinct, repositories)), width: options.jobs) {
            try buildAndPublish($0.0, repository: $0.1)
        }
        if let tarball = options.tarballPath { try writeTarball(to: tarball) }
        return packages.map { package in built[distinct.firstIndex(of: package) ?? 0] }
    }

    private func repository(for package: GoPackage) throws -> String {
        var dockerRepo = options.dockerRepo ?? "ko.local"
        if options.local, options.destination == .dockerEngine, !dockerRepo.hasPrefix("ko.local") {
            dockerRepo = "ko.local"
        }
        return try options.naming.repository(for: package.importPath, dockerRepo: dockerRepo)
    }

    private func buildAndPublish(_ package: GoPackage, repository: String) throws -> BuildResult {
        let settings = try planner.settings(for: package)
        let baseName = config.baseImage(for: package.importPath, environment: options.environment)
        // With one platform known up front, the base is fetched while the
        // program compiles; a broken program still says so first.
        var compiled: (platform: Platform, binary: String)?
        let source: BaseImageSource
        if let wanted = platforms, wanted.count == 1 {
            let (binary, fetched) = try ParallelWork.both({ try compile(package, for: wanted[0], settings: settings) },
                                                          { try BaseImageSource.fetch(baseName, registry: self.registry,
                                                                                      cache: self.cache) })
            (compiled, source) = ((wanted[0], binary), fetched)
        } else {
            source = try BaseImageSource.fetch(baseName, registry: registry, cache: cache)
        }
        logger.info("Using base image \(source.reference) for \(package.importPath)")

        switch source {
        case let .image(base):
            let image = try buildImage(package, base: base, platform: try singlePlatform(for: base),
                                       settings: settings, compiled: compiled)
            return try publish(.image(image, base: base), package: package, repository: repository)
        case let .index(reference, _, index):
            let entries = try PlatformMatch.select(platforms, from: index, baseName: reference.description)
            let images = try ParallelWork.map(entries, width: options.jobs) { entry -> (BuiltImage, BaseImage) in
                let child = try registry.manifest(for: reference.repositoryReference.at(entry.digest), cache: cache)
                let base = try BaseImage.fetch(reference, remote: child, registry: registry, cache: cache)
                let platform = entry.platform ?? base.config.platform
                let image = try buildImage(package, base: base, platform: platform, settings: settings,
                                           compiled: compiled)
                // Pushed at once, with its SBOM, so that the uploads overlap
                // the other platforms' builds.
                if entries.count > 1, options.push, options.destination == .registry {
                    try pushChild(image, base: base, repository: repository)
                }
                return (image, base)
            }
            // One match gives a plain image, as ko does; several give an index.
            if images.count == 1 {
                return try publish(.image(images[0].0, base: images[0].1), package: package,
                                   repository: repository)
            }
            var mutation = IndexMutation(baseIndex: index)
            for (image, entry) in zip(images.map(\.0), entries) { mutation.append(image, baseEntry: entry) }
            let (bytes, descriptor) = try mutation.build()
            if options.sbom {
                let sbom = try SPDXDocument.forIndex(mutation.index, descriptor: descriptor, images: images.map(\.0),
                                                     koVersion: options.koVersion)
                try recordSBOM(sbom, for: descriptor.digest, name: "\(package.commandName)-index")
            }
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
    private func buildImage(_ package: GoPackage, base: BaseImage, platform: Platform, settings: GoBuildSettings,
                            compiled: (platform: Platform, binary: String)?) throws -> BuiltImage {
        let binary: String
        if let compiled, PlatformMatch.matches(platform, wanted: compiled.platform) {
            binary = compiled.binary
        } else {
            binary = try compile(package, for: platform, settings: settings)
        }
        let directory = (binary as NSString).deletingLastPathComponent
        let image = try ImageAssembly.assemble(package: package, binary: binary, base: base, platform: platform,
                                               settings: settings.image, environment: options.environment,
                                               cache: cache, trustsBuildID: !settings.setsBuildID(options.environment),
                                               in: directory, progress: progress)
        if options.sbom {
            let info = try GoBuildInfo.read(binary: binary, environment: options.environment)
            let sbom = try SPDXDocument.forImage(image, buildInfo: info, koVersion: options.koVersion)
            try recordSBOM(sbom, for: image.digest, name: "\(package.commandName)-\(platform.os)-"
                               + "\(platform.architecture)\(platform.variant.map { "-" + $0 } ?? "")")
        }
        return image
    }

    /// Keeps an SBOM for publishing, and writes it to `--sbom-dir` when asked.
    private func recordSBOM(_ sbom: [UInt8], for digest: Digest, name: String) throws {
        artifactsLock.withLock { sboms[digest] = sbom }
        guard let directory = options.sbomDirectory else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(name).spdx.json"
        guard FileManager.default.createFile(atPath: path, contents: Data(sbom)) else {
            throw BuildError.toolFailed("ko", "cannot write the SBOM to \(path)")
        }
    }

    /// Compiles `package` for `platform` into a scratch directory of its own.
    private func compile(_ package: GoPackage, for platform: Platform, settings: GoBuildSettings) throws -> String {
        let key = compileKey(package, platform)
        let (ahead, announced) = artifactsLock.withLock { (compiledAhead[key], announcedAhead.contains(key)) }
        if let ahead { return ahead }
        let directory = try scratch.subdirectory(for: package.importPath + "@" + platform.description)
        let binary = directory + "/" + package.commandName
        if !announced { logger.info("Building \(package.importPath) for \(platform)") }
        let identity = [package.importPath, package.directory, platform.description, settings.directory]
            + settings.flags + ["--"] + settings.ldflags + ["--"] + settings.environment.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        try CompiledBinary(cache: cache, environment: options.environment).compile(into: binary, identity: identity) {
            output, extra in
            try GoToolchain(environment: options.environment, directory: settings.directory)
                .build(package, platform: platform, output: output, flags: settings.flags, ldflags: settings.ldflags,
                       extraEnvironment: settings.environment.merging(extra) { own, _ in own })
        }
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
        if options.ociLayoutPath != nil || options.tarballPath != nil
            || (options.push && options.destination != .registry) {
            try ensureLayersIntact(artifact)
        }
        if let layoutPath = options.ociLayoutPath {
            try writeLayout(artifact, to: layoutPath)
        }
        artifactsLock.withLock { artifacts.append((artifact, repository)) }
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

        if options.destination != .registry {
            return try load(artifact, package: package, repository: repository, children: childReferences)
        }
        let target = try ImageReference(parsing: repository).repositoryReference
        logger.info("Publishing \(target)")
        let publisher = ImagePublisher(registry: registry, logger: logger, progress: progress, cache: cache)
        let published: [Descriptor]
        switch artifact {
        case let .image(image, _): published = [image.manifestDescriptor]
        case let .index(_, descriptor, images):
            // Children pushed as soon as they were built took their SBOMs along.
            published = artifactsLock.withLock { images.filter { !pushedEarly.contains($0.0.digest) } }
                .map(\.0.manifestDescriptor) + [descriptor]
        }
        // The SBOMs' blobs and checks go while the image is pushed; their
        // manifests only once it is in.
        let attachment = SBOMAttachment(registry: registry, logger: logger)
        let (_, sbomsReady) = try ParallelWork.both({
            switch artifact {
            case let .image(image, base):
                try publisher.publish(image, base: base, to: target, tags: options.tags, scratch: scratch.path)
            case let .index(bytes, descriptor, images):
                let pending = artifactsLock.withLock { images.filter { !pushedEarly.contains($0.0.digest) } }
                _ = try ParallelWork.map(pending, width: options.jobs) { image, base in
                    try publisher.publish(image, base: base, to: target, tags: [], scratch: scratch.path)
                }
                try publisher.publishIndex(bytes: bytes, descriptor: descriptor, to: target, tags: options.tags)
            }
        }, {
            try ParallelWork.map(published, width: published.count) { descriptor in
                artifactsLock.withLock({ sboms[descriptor.digest] }).map {
                    attachment.prepare($0, for: descriptor, in: target)
                }
            }
        })
        _ = try ParallelWork.map(sbomsReady.compactMap { $0 }, width: published.count) { $0.commit() }
        let reference = options.tagOnly ? "\(repository):\(options.tags[0])"
            : "\(repository)\(printedTag)@\(artifact.digest)"
        logger.info("Published \(reference)")
        return BuildResult(importPath: package.importPath, reference: reference, digest: artifact.digest,
                           children: childReferences)
    }

    /// Pushes one child of an index, and its SBOM, as soon as it is built.
    private func pushChild(_ image: BuiltImage, base: BaseImage, repository: String) throws {
        let target = try ImageReference(parsing: repository).repositoryReference
        let publisher = ImagePublisher(registry: registry, logger: logger, progress: progress, cache: cache)
        let sbom = artifactsLock.withLock { sboms[image.digest] }
        let attachment = SBOMAttachment(registry: registry, logger: logger)
        let (_, prepared) = try ParallelWork.both({
            try publisher.publish(image, base: base, to: target, tags: [], scratch: scratch.path)
        }, {
            sbom.map { attachment.prepare($0, for: image.manifestDescriptor, in: target) }
        })
        prepared?.commit()
        artifactsLock.withLock { _ = pushedEarly.insert(image.digest) }
    }

    /// Loads the image (for an index, the child for GOOS/GOARCH, else
    /// linux/amd64, as ko picks it) into the Docker engine or kind.
    private func load(_ artifact: Artifact, package: GoPackage, repository: String,
                      children: [String]) throws -> BuildResult {
        let image: BuiltImage
        let base: BaseImage
        switch artifact {
        case let .image(built, from):
            (image, base) = (built, from)
        case let .index(_, _, images):
            let wanted = Platform(os: options.environment["GOOS"] ?? "linux",
                                  architecture: options.environment["GOARCH"] ?? "amd64")
            guard let match = images.first(where: { PlatformMatch.matches($0.0.config.platform, wanted: wanted) })
                    ?? images.first else {
                throw BuildError.toolFailed("ko", "the index for \(package.importPath) has no images to load")
            }
            (image, base) = match
        }
        let daemonImage = DaemonImage(image: image, repository: repository, tags: options.tags,
                                      baseBlobs: RegistryBlobSource(registry: registry,
                                                                    repository: base.reference.repositoryReference))
        logger.info("Loading \(repository) into \(options.destination == .kind ? "kind" : "the Docker engine")")
        let loaded: [String]
        if options.destination == .kind {
            loaded = try KindCluster.fromEnvironment(options.environment, logger: logger)
                .load([daemonImage], temporaryDirectory: scratch.path)
        } else {
            loaded = try DockerDaemon.fromEnvironment(options.environment, logger: logger)
                .load([daemonImage], temporaryDirectory: scratch.path)
        }
        return BuildResult(importPath: package.importPath, reference: loaded.first ?? daemonImage.digestReference,
                           digest: image.digest, children: [])
    }

    /// ko shows the tag in the printed reference when exactly one tag other than `latest` was pushed.
    private var printedTag: String {
        options.tags.count == 1 && options.tags[0] != "latest" ? ":\(options.tags[0])" : ""
    }

    /// One file with every image of the run: docker-save format when all
    /// are single images (what `docker load` takes), else an OCI archive.
    private func writeTarball(to path: String) throws {
        let entries = artifactsLock.withLock { artifacts }
        let isIndex: (Artifact) -> Bool = { if case .index = $0 { return true } else { return false } }
        func tags(_ repository: String) -> [String] { options.tags.map { "\(repository):\($0)" } }
        func blobs(_ base: BaseImage) -> BlobSource {
            RegistryBlobSource(registry: registry, repository: base.reference.repositoryReference)
        }
        if entries.contains(where: { isIndex($0.artifact) }) {
            try OCIArchive.write(entries.map { entry -> OCIArchive.Entry in
                switch entry.artifact {
                case let .image(image, base):
                    return OCIArchive.Entry(content: .image(image), tags: tags(entry.repository),
                                            baseBlobs: blobs(base))
                case let .index(bytes, descriptor, images):
                    return OCIArchive.Entry(content: .index(bytes: bytes, descriptor: descriptor,
                                                            images: images.map(\.0)),
                                            tags: tags(entry.repository), baseBlobs: images.first.map { blobs($0.1) })
                }
            }, to: path)
        } else {
            try DockerTarball.write(entries.compactMap { entry -> DockerTarball.Entry? in
                guard case let .image(image, base) = entry.artifact else { return nil }
                return DockerTarball.Entry(image: image, tags: tags(entry.repository), baseBlobs: blobs(base))
            }, to: path)
        }
        logger.info("Wrote \(path)")
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
