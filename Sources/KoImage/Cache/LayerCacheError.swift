/// A layer cache blob found damaged after a build had chosen it, which the
/// build could not mend in the same run. The damaged file is gone by then,
/// so the next run compresses the layer anew.
public enum LayerCacheError: Error, CustomStringConvertible, Sendable {
    /// No way to make the layer again was known to this run.
    case damagedBlob(path: String, digest: Digest)
    /// The layer made again from its source has another digest than the one
    /// the image was assembled with: the source changed in the meantime.
    case rebuiltLayerDiffers(path: String, expected: Digest, actual: Digest)

    public var description: String {
        switch self {
        case let .damagedBlob(path, digest):
            return "layer cache blob \(path) was damaged (it does not hash to \(digest)) and has been removed; "
                + "run the build again to compress the layer anew"
        case let .rebuiltLayerDiffers(path, expected, actual):
            return "layer cache blob \(path) was damaged and has been removed, but compressing its source again "
                + "gave \(actual) rather than \(expected) (did the source change during the build?); "
                + "run the build again"
        }
    }
}
