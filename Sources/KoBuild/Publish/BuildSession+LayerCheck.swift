import KoImage

extension BuildSession {
    /// Mends any layer of `artifact` whose file, a layer cache blob, was
    /// damaged on disk, before a local output (an OCI layout, a tarball, the
    /// Docker engine) copies the files as they are. A push needs no such
    /// pass: the upload hashes each file it sends (see `ImagePublisher`).
    func ensureLayersIntact(_ artifact: Artifact) throws {
        guard let cache else { return }
        let images: [BuiltImage]
        switch artifact {
        case let .image(image, _): images = [image]
        case let .index(_, _, children): images = children.map(\.0)
        }
        for layer in images.flatMap(\.addedLayers) { try cache.ensureIntact(layer) }
    }
}
