/// Builds a new image from a base image's manifest and config, the way
/// go-containerregistry's `mutate.Append`/`mutate.ConfigFile` do.
///
/// Appending a layer adds its diffID to `rootfs.diff_ids`, its history entry
/// to `history` and its descriptor to the manifest, typed to match the base
/// (a Docker v2s2 base gets Docker layer types, an OCI base OCI ones). The
/// base manifest's media type, config media type and annotations carry over.
/// Every key of the base config is kept; edit `config` for the rest.
public struct ImageMutation: Sendable {
    /// The base manifest.
    public private(set) var baseManifest: Manifest
    /// The config being built, starting as the base's.
    public var config: ImageConfig
    /// Manifest annotations, starting as the base's.
    public var annotations: [String: String]
    /// The layers appended so far.
    public private(set) var addedLayers: [Layer] = []

    /// Starts from a base image. `baseMediaType` is the manifest's media type
    /// as the registry or layout reported it, used when the manifest itself
    /// has no `mediaType` field.
    public init(baseManifest: Manifest, baseConfig: ImageConfig, baseMediaType: String? = nil) {
        var manifest = baseManifest
        if manifest.mediaType == nil, let baseMediaType { manifest.mediaType = baseMediaType }
        self.baseManifest = manifest
        self.config = baseConfig
        self.annotations = baseManifest.annotations ?? [:]
    }

    /// The media type new layers get: the base manifest's flavour of gzip layer.
    public var layerMediaType: String { baseManifest.matchingLayerMediaType }

    /// Appends `layer` with its history entry.
    public mutating func append(_ layer: Layer, history: HistoryEntry) throws {
        var diffIDs = try config.diffIDs()
        diffIDs.append(layer.diffID)
        config.setDiffIDs(diffIDs)
        config.appendHistory(history)
        addedLayers.append(layer.withMediaType(layerMediaType))
    }

    /// Records the base image in the manifest annotations
    /// (`org.opencontainers.image.base.name` and `.base.digest`), as ko does.
    public mutating func setBaseImageAnnotations(name: String, digest: Digest) {
        annotations[Self.baseNameAnnotation] = name
        annotations[Self.baseDigestAnnotation] = digest.description
    }

    public static let baseNameAnnotation = "org.opencontainers.image.base.name"
    public static let baseDigestAnnotation = "org.opencontainers.image.base.digest"

    /// The finished image: canonical config and manifest bytes and digests.
    public func build() throws -> BuiltImage {
        let configBytes = config.canonicalBytes
        var configDescriptor = baseManifest.config
        configDescriptor.digest = Digest.sha256(of: configBytes)
        configDescriptor.size = Int64(configBytes.count)

        var manifest = baseManifest
        manifest.config = configDescriptor
        manifest.layers += addedLayers.map(\.descriptor)
        manifest.annotations = annotations.isEmpty ? nil : annotations

        let manifestBytes = try manifest.canonicalBytes()
        let manifestDescriptor = Descriptor(mediaType: manifest.mediaType ?? MediaType.ociManifest,
                                            digest: Digest.sha256(of: manifestBytes),
                                            size: Int64(manifestBytes.count))
        return BuiltImage(manifest: manifest, manifestBytes: manifestBytes, manifestDescriptor: manifestDescriptor,
                          config: config, configBytes: configBytes, configDescriptor: configDescriptor,
                          addedLayers: addedLayers)
    }
}
