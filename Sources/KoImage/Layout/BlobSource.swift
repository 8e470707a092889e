/// Somewhere blobs can be streamed from: an OCI layout, a registry, a cache.
///
/// `OCILayout` conforms; the registry client can conform too, so an image
/// whose base layers live in a registry can be written to a layout.
public protocol BlobSource {
    /// Streams the bytes of the blob `descriptor` names to `sink`, in order.
    func streamBlob(_ descriptor: Descriptor, to sink: (UnsafeRawBufferPointer) throws -> Void) throws
}
