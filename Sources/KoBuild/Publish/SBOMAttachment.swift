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
        prepare(sbom, for: subject, in: repository).commit()
    }

    /// The blobs and manifest checks of an SBOM, done while the image itself
    /// is pushed: every blob and every manifest reference in one round of
    /// requests at once. `commit` then PUTs only the manifests that changed,
    /// so rebuilding an unchanged program sends HEADs and nothing else, and
    /// no SBOM manifest names an image before the image is in.
    func prepare(_ sbom: [UInt8], for subject: Descriptor, in repository: RepositoryReference) -> Prepared {
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

            let checks: [() throws -> Digest?] = [
                { try upload(sbom, layer, to: repository) },
                { try upload(cosign.config, cosign.configDescriptor, to: repository) },
                { try upload(Self.emptyJSON, Self.emptyDescriptor, to: repository) },
                { try registry.manifestDescriptor(for: cosignTag)?.digest },
                { try registry.manifestDescriptor(for: repository.at(referrerDigest))?.digest },
                { (try? registry.manifestDescriptor(for: fallbackTag))??.digest },
            ]
            let found = try ParallelWork.map(checks, width: checks.count) { try $0() }
            // The referrers index names the referrer: it goes after it.
            var puts: [() throws -> Void] = []
            var after: [() throws -> Void] = []
            if found[3] != Digest.sha256(of: cosign.manifest) {
                puts.append { try registry.putManifest(cosign.manifest, mediaType: MediaType.ociManifest,
                                                       reference: cosignTag) }
            }
            if found[4] != referrerDigest {
                puts.append { try registry.putManifest(referrer, mediaType: MediaType.ociManifest,
                                                       reference: repository.at(referrerDigest)) }
            }
            // The common case, a tag listing just this SBOM, is settled by the HEAD;
            // no tag at all needs no GET either.
            if found[5] != Digest.sha256(of: alone) {
                let existing = found[5] != nil
                after.append { try addToFallbackIndex(entry, at: fallbackTag, alone: alone, existing: existing) }
            }
            return Prepared(subject: subject, repository: repository, logger: logger, outcome: .success([puts, after]))
        } catch {
            return Prepared(subject: subject, repository: repository, logger: logger, outcome: .failure(error))
        }
    }

    /// An SBOM whose blobs are in, and the manifest PUTs still to send.
    struct Prepared {
        let subject: Descriptor
        let repository: RepositoryReference
        let logger: Logger
        /// Rounds of PUTs: each round's at once, the rounds in order.
        let outcome: Result<[[() throws -> Void]], Error>

        /// Sends the PUTs; failures are warnings.
        func commit() {
            do {
                for round in try outcome.get() {
                    _ = try ParallelWork.map(round, width: round.count) { try $0() }
                }
                logger.debug("SBOM for \(subject.digest) pushed to \(repository)")
            } catch {
                logger.warning("the SBOM of \(repository)@\(subject.digest) was not pushed: \(error)")
            }
        }
    }

    /// Uploads a small blob (other SBOMs of the same push may share it).
    private func upload(_ bytes: [UInt8], _ descriptor: Descriptor, to repository: RepositoryReference) throws
        -> Digest? {
        try BlobUploadGate.serialized(descriptor.digest, into: repository) {
            _ = try registry.uploadBlob(bytes: bytes, descriptor: descriptor, to: repository)
        }
        return nil
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

    /// Adds `entry` to the referrers index at `fallbackTag`, keeping what it
    /// lists; `alone` is the index of just `entry`, for a tag not there yet.
    private func addToFallbackIndex(_ entry: Descriptor, at fallbackTag: ImageReference, alone: [UInt8],
                                    existing: Bool) throws {
        guard existing else {
            try registry.putManifest(alone, mediaType: MediaType.ociIndex, reference: fallbackTag)
            return
        }
        var index = ImageIndex(mediaType: MediaType.ociIndex, manifests: [])
        if let existing = try? registry.manifest(for: fallbackTag), existing.isIndex {
            index = try ImageIndex(parsing: existing.bytes)
        }
        guard !index.manifests.contains(where: { $0.digest == entry.digest }) else { return }
        index.manifests.append(entry)
        try registry.putManifest(try index.canonicalBytes(), mediaType: MediaType.ociIndex, reference: fallbackTag)
    }
}
