/// Media types of the OCI image spec and Docker's image manifest v2 schema 2.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"

    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Everything `ko` accepts when it asks a registry for a manifest.
    public static let acceptedManifests = [ociIndex, ociManifest, dockerManifestList, dockerManifest]

    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }
}
