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

    /// Fetches the single image `descriptor` names in `reference`'s repository.
    /// Manifests and configs come from `cache` when it holds their digests.
    static func fetch(_ reference: ImageReference, remote: RemoteManifest,
                      registry: RegistryClient, cache: LayerCache? = nil) throws -> BaseImage {
        guard MediaType.isManifest(remote.mediaType) else {
            throw BuildError.baseImage(reference: reference.description,
                                       reason: "unsupported manifest type \(remote.mediaType)")
        }
        let manifest = try Manifest(parsing: remote.bytes)
        let configBytes = try registry.blob(manifest.config.digest, from: reference.repositoryReference,
                                            cache: cache)
        let config = try ImageConfig(parsing: configBytes)
        return BaseImage(name: reference.description, reference: reference, descriptor: remote.descriptor,
                         manifest: manifest, config: config)
    }
}

/// What a base reference turned out to be, before choosing platforms.
enum BaseImageSource: Sendable {
    /// A single image, whose config says which platform it is.
    case image(BaseImage)
    /// An index: its children are chosen by platform, and fetched on demand.
    case index(reference: ImageReference, remote: RemoteManifest, index: ImageIndex)

    /// Resolves `name` to an image or an index.
    static func fetch(_ name: String, registry: RegistryClient, cache: LayerCache? = nil) throws -> BaseImageSource {
        let reference = try ImageReference(parsing: name)
        let remote = try registry.manifest(for: reference, cache: cache)
        if remote.isIndex {
            return .index(reference: reference, remote: remote, index: try ImageIndex(parsing: remote.bytes))
        }
        return .image(try BaseImage.fetch(reference, remote: remote, registry: registry, cache: cache))
    }

    var reference: ImageReference {
        switch self {
        case let .image(image): return image.reference
        case let .index(reference, _, _): return reference
        }
    }
}

/// How ko matches wanted platforms against a base image's platforms.
enum PlatformMatch {
    /// os and architecture must be equal; a wanted variant (or OS version)
    /// must be equal too, while an unspecified one accepts any.
    static func matches(_ candidate: Platform, wanted: Platform) -> Bool {
        guard candidate.os == wanted.os, candidate.architecture == wanted.architecture else { return false }
        if let variant = wanted.variant, !variant.isEmpty, candidate.variant != variant { return false }
        if let osVersion = wanted.osVersion, !osVersion.isEmpty, candidate.osVersion != osVersion { return false }
        return true
    }

    /// The entries of `index` to build, in the base's order: every entry that
    /// matches one of `wanted` (all of them when `wanted` is nil, for
    /// `--platform=all`). Attestation entries (`unknown/unknown`) never match.
    static func select(_ wanted: [Platform]?, from index: ImageIndex, baseName: String) throws -> [Descriptor] {
        let candidates = index.manifests.filter { entry in
            guard let platform = entry.platform else { return false }
            return platform.os != "unknown" && platform.architecture != "unknown"
        }
        let chosen = candidates.filter { entry in
            guard let platform = entry.platform else { return false }
            return wanted.map { $0.contains { matches(platform, wanted: $0) } } ?? true
        }
        guard !chosen.isEmpty else {
            throw BuildError.platformMismatch(base: baseName,
                                              wanted: wanted?.map(\.description).joined(separator: ",") ?? "all",
                                              available: candidates.compactMap { $0.platform?.description })
        }
        return chosen
    }
}
