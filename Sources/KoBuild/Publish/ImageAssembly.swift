import Foundation
import KoImage
import KoLog

/// Lays a built Go binary and its kodata over a base image, as ko does.
enum ImageAssembly {
    /// The image for `package` on `platform`: kodata layer, binary layer,
    /// ko's config edits and the base-image annotations. Layer files are
    /// written into `directory`.
    static func assemble(package: GoPackage, binary: String, base: BaseImage,
                         platform: Platform, settings: ImageSettings, environment: [String: String],
                         cache: LayerCache?, trustsBuildID: Bool = true, in directory: String,
                         progress: ProgressReporter = .silent) throws -> BuiltImage {
        var mutation = ImageMutation(baseManifest: base.manifest, baseConfig: base.config,
                                     baseMediaType: base.descriptor.mediaType)
        let dataDate = try epoch("KO_DATA_DATE_EPOCH", environment)
        // Each layer gets a progress line; a layer cache hit skips the compression.
        func layer(_ kind: String, _ make: (ProgressTask) throws -> (layer: Layer, hit: Bool)) throws -> Layer {
            let task = progress.start("Compressing", "\(kind) layer of \(package.commandName)")
            defer { task.cancel() }
            let made = try make(task)
            let size = ByteCount.text(made.layer.descriptor.size)
            if made.hit {
                task.finish("Cached", detail: "\(size) gzipped, from the layer cache", showBytes: false)
            } else {
                task.finish("Compressed", detail: "\(size) gzipped")
            }
            return made.layer
        }
        let kodata = try layer("kodata") { task in
            if let cache {
                return try cache.kodataLayer(packageDirectory: package.directory, moduleRoot: package.moduleRoot,
                                             dataDate: dataDate ?? 0, mediaType: mutation.layerMediaType,
                                             compression: compression, in: directory, progress: task.update)
            }
            return (try KodataLayer.build(packageDirectory: package.directory, moduleRoot: package.moduleRoot,
                                          dataDate: dataDate ?? 0, in: directory, mediaType: mutation.layerMediaType,
                                          compression: compression, progress: task.update), false)
        }
        let binaryLayer = try layer("binary") { task in
            if let cache {
                return try cache.binaryLayer(binary: binary, name: package.commandName,
                                             mediaType: mutation.layerMediaType, compression: compression,
                                             trustsBuildID: trustsBuildID, in: directory, progress: task.update)
            }
            return (try BinaryLayer.build(binary: binary, name: package.commandName, in: directory,
                                          mediaType: mutation.layerMediaType, compression: compression,
                                          progress: task.update), false)
        }
        let appPath = BinaryLayer.appPath(for: package.commandName)
        let created = try epoch("SOURCE_DATE_EPOCH", environment).map { ImageTime.rfc3339(epochSeconds: $0) }
        try mutation.appendKoLayers(kodata: kodata, binary: binaryLayer,
                                    reference: GoToolchain.importPathScheme + package.importPath,
                                    appPath: appPath,
                                    kodataCreated: dataDate.map { ImageTime.rfc3339(epochSeconds: $0) }
                                        ?? ImageTime.goZero,
                                    binaryCreated: created ?? ImageTime.goZero)
        mutation.applyKoConventions(appPath: appPath, labels: settings.labels, created: created)
        try apply(settings, to: &mutation)
        // The child of a multi-platform base says which platform it is.
        if mutation.config.os == nil { mutation.config.os = platform.os }
        if mutation.config.architecture == nil { mutation.config.architecture = platform.architecture }
        mutation.setBaseImageAnnotations(name: base.name, digest: base.descriptor.digest)
        return try mutation.build()
    }

    /// The compressor every build uses.
    static let compression = LayerCompression.parallelDefault

    /// The image settings beyond ko's own edits: env, args, working
    /// directory, user and manifest annotations.
    private static func apply(_ settings: ImageSettings, to mutation: inout ImageMutation) throws {
        var env = mutation.config.env ?? []
        for entry in settings.env {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw BuildError.invalidFlag("image env '\(entry)' is not KEY=VALUE")
            }
            let key = entry[..<equals]
            env.removeAll { $0.split(separator: "=", maxSplits: 1).first == key }
            env.append(entry)
        }
        mutation.config.env = env
        if let args = settings.args { mutation.config.cmd = args }
        if let workingDir = settings.workingDir { mutation.config.workingDir = workingDir }
        if let user = settings.user { mutation.config.user = user }
        mutation.annotations.merge(settings.annotations) { _, new in new }
    }

    /// An epoch-seconds environment variable, or nil when unset.
    private static func epoch(_ name: String, _ environment: [String: String]) throws -> Int64? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let seconds = Int64(text), seconds >= 0 else {
            throw BuildError.invalidFlag("\(name)='\(text)' is not a number of seconds since 1970")
        }
        return seconds
    }
}
