import KoImage

/// The base image an app is laid on, for one platform: only its manifest and
/// config are fetched; its layers stay in the registry until publishing.
struct BaseImage: Sendable {
    /// The base as the user named it, normalized (`index.docker.io/library/…`).
    var name: String
    var reference: ImageReference
    /// The platform-specific manifest's descriptor (a child, for an index).
    var descriptor: Descriptor
    var manifest: Manifest
    var config: ImageConfig

    /// Fetches `name` and, when it is an index, the child for `platform`.
    static func fetch(_ name: String, platform: Platform, registry: RegistryClient) throws -> BaseImage {
        let reference = try ImageReference(parsing: name)
        var remote = try registry.manifest(for: reference)
        let wasIndex = remote.isIndex
        if wasIndex {
            let index = try ImageIndex(parsing: remote.bytes)
            let child = try PlatformMatch.select(platform, from: index, baseName: reference.description)
            remote = try registry.manifest(for: reference.repositoryReference.at(child.digest))
        }
        guard MediaType.isManifest(remote.mediaType) else {
            throw BuildError.baseImage(reference: name, reason: "unsupported manifest type \(remote.mediaType)")
        }
        let manifest = try Manifest(parsing: remote.bytes)
        let configBytes = try registry.blob(manifest.config.digest, from: reference.repositoryReference)
        let config = try ImageConfig(parsing: configBytes)
        // An index already chose by platform; a single image must say it fits.
        if !wasIndex, !config.platform.os.isEmpty, !PlatformMatch.matches(config.platform, wanted: platform) {
            throw BuildError.platformMismatch(base: reference.description, wanted: platform.description,
                                              available: [config.platform.description])
        }
        return BaseImage(name: reference.description, reference: reference, descriptor: remote.descriptor,
                         manifest: manifest, config: config)
    }

}

/// How ko matches a wanted platform against a base image's platforms.
enum PlatformMatch {
    /// os and architecture must be equal; a wanted variant (or OS version)
    /// must be equal too, while an unspecified one accepts any.
    static func matches(_ candidate: Platform, wanted: Platform) -> Bool {
        guard candidate.os == wanted.os, candidate.architecture == wanted.architecture else { return false }
        if let variant = wanted.variant, !variant.isEmpty, candidate.variant != variant { return false }
        if let osVersion = wanted.osVersion, !osVersion.isEmpty, candidate.osVersion != osVersion { return false }
        return true
    }

    /// The index entry for `wanted`; attestation entries (`unknown/unknown`) never match.
    static func select(_ wanted: Platform, from index: ImageIndex, baseName: String) throws -> Descriptor {
        let candidates = index.manifests.filter { entry in
            guard let platform = entry.platform else { return false }
            return platform.os != "unknown" && platform.architecture != "unknown"
        }
        if let match = candidates.first(where: { $0.platform.map { matches($0, wanted: wanted) } ?? false }) {
            return match
        }
        throw BuildError.platformMismatch(base: baseName, wanted: wanted.description,
                                          available: candidates.compactMap { $0.platform?.description })
    }
}
