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
    ///
    /// Every blob and every manifest reference is checked in one round of
    /// requests at once; then only the manifests that changed are PUT, so
    /// rebuilding an unchanged program sends HEADs and nothing else.
    func attach(_ sbom: [UInt8], to subject: Descriptor, in repository: RepositoryReference) {
        do {
            let layer = Descriptor(mediaType: Self.cosignLayerType, digest: Digest.sha256(of: sbom),
                                   size: Int64(sbom.count))
            let cosign = try cosignImage(layer: layer)
            let cosignTag = repository.tagged("\(subject.digest.algorithm)-\(subject.digest.hex).sbom")
            let referrer = try referrerManifest(layer: layer, subject: subject)
            let referrerDigest = Digest.sha256(of: referrer)
            let entry = Descriptor(mediaType: MediaType.ociManifest, digest: referrerDigest,
                                   size: Int64(referrer.count), artifactType: Self.artifactType)
            // The referrers tag schema (distribution spec 1.1, "Unavailable Referrers API"):
            // an index at `sha256-<hex>` listing every referrer of the subject.
            let fallbackTag = repository.tagged("\(subject.digest.algorithm)-\(subject.digest.hex)")
            let alone = try ImageIndex(mediaType: MediaType.ociIndex, manifests: [entry]).canonicalBytes()

            let checks: [() throws -> Bool] = [
                { try registry.uploadBlob(bytes: sbom, descriptor: layer, to: repository); return false },
                { try registry.uploadBlob(bytes: cosign.config, descriptor: cosign.configDescriptor, to: repository)
                    return false },
                { try registry.uploadBlob(bytes: Self.emptyJSON, descriptor: Self.emptyDescriptor, to: repository)
                    return false },
                { try isStale(cosign.manifest, at: cosignTag) },
                { try isStale(referrer, at: repository.at(referrerDigest)) },
                // The common case, a tag listing just this SBOM, is settled with the HEAD.
                { (try? registry.manifestDescriptor(for: fallbackTag))??.digest != Digest.sha256(of: alone) },
            ]
            let stale = try ParallelWork.map(checks, width: checks.count) { try $0() }
            if stale[3] { try registry.putManifest(cosign.manifest, mediaType: MediaType.ociManifest,
                                                   reference: cosignTag) }
            if stale[4] { try registry.putManifest(referrer, mediaType: MediaType.ociManifest,
                                                   reference: repository.at(referrerDigest)) }
            if stale[5] { try addToFallbackIndex(entry, at: fallbackTag) }
            logger.debug("SBOM for \(subject.digest) pushed to \(repository)")
        } catch {
            logger.warning("the SBOM of \(repository)@\(subject.digest) was not pushed: \(error)")
        }
    }

    /// The OCI 1.1 empty descriptor, the config of a referrer.
    static let emptyDescriptor = Descriptor(mediaType: "application/vnd.oci.empty.v1+json",
                                            digest: Digest.sha256(of: emptyJSON), size: Int64(emptyJSON.count))

    /// cosign's attachment: a one-layer image, tagged `sha256-<hex>.sbom`.
    private func cosignImage(layer: Descriptor) throws
        -> (config: [UInt8], configDescriptor: Descriptor, manifest: [UInt8]) {
        var config = ImageConfig(platform: Platform(os: "", architecture: ""))
        config.created = ImageTime.goZero
        config.setDiffIDs([layer.digest])
        let configBytes = config.canonicalBytes
        let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: configBytes),
                                          size: Int64(configBytes.count))
        let manifest = Manifest(mediaType: MediaType.ociManifest, config: configDescriptor, layers: [layer])
        return (configBytes, configDescriptor, try manifest.canonicalBytes())
    }

    /// Whether `reference` names something other than these exact bytes.
    private func isStale(_ bytes: [UInt8], at reference: ImageReference) throws -> Bool {
        try registry.manifestDescriptor(for: reference)?.digest != Digest.sha256(of: bytes)
    }

    /// The OCI 1.1 referrer: the SBOM as an artifact whose subject is the image.
    private func referrerManifest(layer: Descriptor, subject: Descriptor) throws -> [UInt8] {
        var referrerLayer = layer
        referrerLayer.mediaType = Self.artifactType
        var subjectDescriptor = subject
        subjectDescriptor.platform = nil
        let manifest = Manifest(mediaType: MediaType.ociManifest, artifactType: Self.artifactType,
                                config: Self.emptyDescriptor, layers: [referrerLayer], subject: subjectDescriptor)
        return try manifest.canonicalBytes()
    }

    /// Adds `entry` to the referrers index at `fallbackTag`, keeping what it lists.
    private func addToFallbackIndex(_ entry: Descriptor, at fallbackTag: ImageReference) throws {
        var index = ImageIndex(mediaType: MediaType.ociIndex, manifests: [])
        if let existing = try? registry.manifest(for: fallbackTag), existing.isIndex {
            index = try ImageIndex(parsing: existing.bytes)
        }
        guard !index.manifests.contains(where: { $0.digest == entry.digest }) else { return }
        index.manifests.append(entry)
        try registry.putManifest(try index.canonicalBytes(), mediaType: MediaType.ociIndex, reference: fallbackTag)
    }
}
