import KoImage
import KoLog

/// Pushes an image's SBOM next to it, two ways: under cosign's tag
/// `sha256-<hex>.sbom` as ko does, and (beyond ko) as an OCI 1.1 referrer
/// whose `subject` is the image, listed in the referrers fallback tag
/// `sha256-<hex>` for registries without the referrers API.
struct SBOMAttachment {
    let registry: RegistryClient
    let logger: Logger

    /// The media type cosign and ko give an SPDX layer.
    static let cosignLayerType = "text/spdx+json"
    /// The artifact type of an SPDX referrer (IANA's SPDX JSON type).
    static let artifactType = "application/spdx+json"
    /// The OCI 1.1 empty descriptor's content: `{}`.
    static let emptyJSON: [UInt8] = Array("{}".utf8)

    /// Pushes `sbom` for `subject` in `repository`. A registry that refuses
    /// it gets a warning; the image itself is already pushed and stays.
    func attach(_ sbom: [UInt8], to subject: Descriptor, in repository: RepositoryReference) {
        do {
            let layer = Descriptor(mediaType: Self.cosignLayerType, digest: Digest.sha256(of: sbom),
                                   size: Int64(sbom.count))
            try registry.uploadBlob(bytes: sbom, descriptor: layer, to: repository)
            try pushCosignTag(layer: layer, subject: subject, repository: repository)
            try pushReferrer(layer: layer, subject: subject, repository: repository)
            logger.debug("SBOM for \(subject.digest) pushed to \(repository)")
        } catch {
            logger.warning("the SBOM of \(repository)@\(subject.digest) was not pushed: \(error)")
        }
    }

    /// cosign's attachment: a one-layer image tagged `sha256-<hex>.sbom`.
    private func pushCosignTag(layer: Descriptor, subject: Descriptor, repository: RepositoryReference) throws {
        var config = ImageConfig(platform: Platform(os: "", architecture: ""))
        config.created = ImageTime.goZero
        config.setDiffIDs([layer.digest])
        let configBytes = config.canonicalBytes
        let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: configBytes),
                                          size: Int64(configBytes.count))
        try registry.uploadBlob(bytes: configBytes, descriptor: configDescriptor, to: repository)
        let manifest = Manifest(mediaType: MediaType.ociManifest, config: configDescriptor, layers: [layer])
        try putIfChanged(try manifest.canonicalBytes(),
                         at: repository.tagged("\(subject.digest.algorithm)-\(subject.digest.hex).sbom"))
    }

    /// PUTs a manifest unless the reference already names these exact bytes,
    /// so that rebuilding an unchanged program sends no manifest at all.
    private func putIfChanged(_ bytes: [UInt8], at reference: ImageReference,
                              mediaType: String = MediaType.ociManifest) throws {
        if try registry.manifestDescriptor(for: reference)?.digest == Digest.sha256(of: bytes) { return }
        try registry.putManifest(bytes, mediaType: mediaType, reference: reference)
    }

    /// The OCI 1.1 referrer, and the fallback tag that lists referrers.
    private func pushReferrer(layer: Descriptor, subject: Descriptor, repository: RepositoryReference) throws {
        let empty = Descriptor(mediaType: "application/vnd.oci.empty.v1+json", digest: Digest.sha256(of: Self.emptyJSON),
                               size: Int64(Self.emptyJSON.count))
        try registry.uploadBlob(bytes: Self.emptyJSON, descriptor: empty, to: repository)
        var referrerLayer = layer
        referrerLayer.mediaType = Self.artifactType
        var subjectDescriptor = subject
        subjectDescriptor.platform = nil
        let manifest = Manifest(mediaType: MediaType.ociManifest, artifactType: Self.artifactType, config: empty,
                                layers: [referrerLayer], subject: subjectDescriptor)
        let bytes = try manifest.canonicalBytes()
        let digest = Digest.sha256(of: bytes)
        try putIfChanged(bytes, at: repository.at(digest))

        // The referrers tag schema (distribution spec 1.1, "Unavailable Referrers API"):
        // an index at `sha256-<hex>` listing every referrer of the subject.
        let fallbackTag = repository.tagged("\(subject.digest.algorithm)-\(subject.digest.hex)")
        let entry = Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(bytes.count),
                               artifactType: Self.artifactType)
        // The common case, a tag listing just this SBOM, is settled with a HEAD.
        let alone = try ImageIndex(mediaType: MediaType.ociIndex, manifests: [entry]).canonicalBytes()
        if (try? registry.manifestDescriptor(for: fallbackTag))??.digest == Digest.sha256(of: alone) { return }
        var index = ImageIndex(mediaType: MediaType.ociIndex, manifests: [])
        if let existing = try? registry.manifest(for: fallbackTag), existing.isIndex {
            index = try ImageIndex(parsing: existing.bytes)
        }
        guard !index.manifests.contains(where: { $0.digest == digest }) else { return }
        index.manifests.append(entry)
        try registry.putManifest(try index.canonicalBytes(), mediaType: MediaType.ociIndex, reference: fallbackTag)
    }
}
