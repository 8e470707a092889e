/// An image ready to write or push: its manifest and config bytes with their
/// descriptors, and the layers it added to its base.
public struct BuiltImage: Hashable, Sendable {
    public var manifest: Manifest
    /// The canonical manifest bytes; `manifestDescriptor.digest` is their sha256.
    public var manifestBytes: [UInt8]
    /// Media type, digest and size of the manifest (no platform).
    public var manifestDescriptor: Descriptor
    public var config: ImageConfig
    /// The canonical config bytes; `configDescriptor.digest` is their sha256.
    public var configBytes: [UInt8]
    public var configDescriptor: Descriptor
    /// The layers added on top of the base, with their blob files.
    public var addedLayers: [Layer]

    /// The manifest digest, the image's identity.
    public var digest: Digest { manifestDescriptor.digest }

    /// Base layers this image reuses (those not in `addedLayers`).
    public var baseLayers: [Descriptor] {
        let added = Set(addedLayers.map(\.digest))
        return manifest.layers.filter { !added.contains($0.digest) }
    }
}
