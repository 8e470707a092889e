/// What `uploadBlob` had to do.
public enum BlobUploadOutcome: Sendable, Equatable {
    /// The repository already had the blob; nothing was sent.
    case alreadyPresent
    /// The registry linked the blob from another repository (cross-repository mount).
    case mounted
    /// The blob's bytes were uploaded.
    case uploaded
}
