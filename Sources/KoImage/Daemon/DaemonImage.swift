/// One image to load into a Docker engine or kind cluster, and its names.
///
/// As ko names them: the image is loaded as `<repository>:<manifest digest
/// hex>` (the reference ko prints) and then tagged `<repository>:<tag>` for
/// each tag. `repository` is what ko's namer gives, e.g.
/// `ko.local/app-<md5 of the import path>` or `kind.local/app`; Docker
/// only takes lowercase repository names.
public struct DaemonImage {
    public var image: BuiltImage
    public var repository: String
    public var tags: [String]
    /// Where the base image's layers come from (an engine loads whole images).
    public var baseBlobs: BlobSource?

    public init(image: BuiltImage, repository: String, tags: [String], baseBlobs: BlobSource?) {
        self.image = image
        self.repository = repository
        self.tags = tags
        self.baseBlobs = baseBlobs
    }

    /// `<repository>:<digest hex>`.
    public var digestReference: String { repository + ":" + image.digest.hex }

    /// `<repository>:<tag>` for each tag.
    public var tagReferences: [String] { tags.map { repository + ":" + $0 } }
}
