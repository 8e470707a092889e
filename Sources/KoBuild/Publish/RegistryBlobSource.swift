import KoImage

/// Streams a base image's layers out of its registry repository, so that an
/// OCI layout can hold the whole image without the layers passing through memory.
struct RegistryBlobSource: BlobSource {
    let registry: RegistryClient
    let repository: RepositoryReference

    func streamBlob(_ descriptor: Descriptor, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try registry.streamBlob(descriptor.digest, from: repository, expectedSize: descriptor.size, to: sink)
    }
}
