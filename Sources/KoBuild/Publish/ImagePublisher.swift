import Foundation
import KoImage
import KoLog

/// Uploads a built image to a repository: blobs first, the manifest last, so
/// that a tag never points at an image with missing blobs.
struct ImagePublisher {
    let registry: RegistryClient
    let logger: Logger
    var progress: ProgressReporter = .silent
    /// The layer cache the image's layers came from, which mends a layer
    /// whose cached blob proves damaged when it is uploaded.
    var cache: LayerCache?

    /// Pushes `image` (whose base layers live in `base`'s repository) to
    /// `repository` under every tag in `tags`.
    func publish(_ image: BuiltImage, base: BaseImage, to repository: RepositoryReference,
                 tags: [String], scratch: String) throws {
        // Children of an index go up by digest; images by each tag.
        let references = tags.isEmpty ? [repository.at(image.digest)] : tags.map { repository.tagged($0) }
        // One round of requests at once: every blob, and whether each tag
        // already names this exact manifest (then it needs no PUT).
        var steps: [() throws -> ImageReference?] = []
        for layer in image.baseLayers where isDistributable(layer) {
            steps.append {
                try BlobUploadGate.serialized(layer.digest, into: repository) {
                    try copyBaseLayer(layer, from: base.reference.repositoryReference, to: repository,
                                      scratch: scratch)
                }
                return nil
            }
        }
        for layer in image.addedLayers {
            steps.append {
                try BlobUploadGate.serialized(layer.digest, into: repository) {
                    try uploadAdded(layer, to: repository)
                }
                return nil
            }
        }
        steps.append {
            try BlobUploadGate.serialized(image.configDescriptor.digest, into: repository) {
                _ = try registry.uploadBlob(bytes: image.configBytes, descriptor: image.configDescriptor,
                                            to: repository)
            }
            return nil
        }
        for reference in references {
            steps.append {
                if try registry.manifestDescriptor(for: reference)?.digest == image.digest {
                    logger.debug("\(reference) already points at \(image.digest)")
                    return nil
                }
                return reference
            }
        }
        let stale = try ParallelWork.map(steps, width: Self.requestsAtOnce) { try $0() }.compactMap { $0 }
        // The manifest last, so that a tag never names an image with missing blobs.
        for reference in stale {
            _ = try registry.putManifest(image.manifestBytes, mediaType: image.manifestDescriptor.mediaType,
                                         reference: reference)
        }
    }

    /// Registry requests one publish sends at once.
    static let requestsAtOnce = 6

    /// Makes a base layer present in `target`: nothing if it is there, a
    /// cross-repository mount on the same registry, else a streamed copy.
    private func copyBaseLayer(_ layer: Descriptor, from source: RepositoryReference,
                               to target: RepositoryReference, scratch: String) throws {
        if try registry.blobExists(layer.digest, in: target) { return }
        if source.registry == target.registry,
           try registry.mountBlob(layer.digest, from: source, to: target) {
            logger.debug("mounted \(layer.digest) from \(source)")
            return
        }
        // Another registry: stream it through a file, never holding it in memory.
        let file = scratch + "/" + layer.digest.hex
        defer { try? FileManager.default.removeItem(atPath: file) }
        try registry.downloadBlob(layer.digest, from: source, expectedSize: layer.size, toFile: file)
        try upload(file, layer, to: target)
    }

    /// Uploads a layer ko made. One whose file does not hash to its digest
    /// (a layer cache blob damaged on disk) is mended by the cache, which
    /// makes it again from its source, and is uploaded then; the upload
    /// hashes the file before it sends anything, so the registry never sees
    /// the damaged bytes.
    private func uploadAdded(_ layer: Layer, to repository: RepositoryReference) throws {
        do {
            try upload(layer.path, layer.descriptor, to: repository)
        } catch {
            guard case RegistryError.blobFileDamaged = error, let cache else { throw error }
            let repaired = try cache.repairDamagedLayer(layer)
            try upload(repaired.path, repaired.descriptor, to: repository)
        }
    }

    /// Uploads one layer blob with a progress line.
    private func upload(_ file: String, _ layer: Descriptor, to repository: RepositoryReference) throws {
        let task = progress.start("Uploading", "sha256:\(layer.digest.hex.prefix(12))", total: layer.size)
        defer { task.cancel() }
        switch try registry.uploadBlob(file: file, descriptor: layer, to: repository, progress: { task.update($0) }) {
        case .uploaded: task.finish("Uploaded")
        case .mounted: task.finish("Mounted", detail: "from another repository", showBytes: false)
        case .alreadyPresent: task.finish("Skipped", detail: "already there", showBytes: false)
        }
    }

    /// Foreign layers (Windows bases) stay where their URLs point.
    private func isDistributable(_ layer: Descriptor) -> Bool {
        !(layer.urls?.isEmpty == false) && !layer.mediaType.contains("foreign")
            && !layer.mediaType.contains("nondistributable")
    }
}

extension ImagePublisher {
    /// Pushes an index whose images are already in `repository`, under every tag.
    func publishIndex(bytes: [UInt8], descriptor: Descriptor, to repository: RepositoryReference,
                      tags: [String]) throws {
        let references = tags.isEmpty ? [repository.at(descriptor.digest)] : tags.map { repository.tagged($0) }
        for reference in references {
            if try registry.manifestDescriptor(for: reference)?.digest == descriptor.digest { continue }
            _ = try registry.putManifest(bytes, mediaType: descriptor.mediaType, reference: reference)
        }
    }
}
