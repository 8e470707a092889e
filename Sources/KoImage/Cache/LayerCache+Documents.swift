import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Manifests and image configs by digest, so that a build whose base has not
/// moved asks the registry one `HEAD` and fetches nothing.
///
/// Layout: `documents/sha256-<hex>`, holding the media type, a newline and
/// the document's bytes. Every read checks the bytes against the digest, so
/// a damaged file is a miss; documents are small (limited to 4 MiB).
extension LayerCache {
    static let documentSizeLimit = 4 << 20

    var documentsDirectory: String { directory + "/documents" }

    /// The document with `digest`, and the media type it was stored with.
    func document(_ digest: Digest) -> (bytes: [UInt8], mediaType: String)? {
        guard digest.algorithm == "sha256" else { return nil }
        let path = documentsDirectory + "/sha256-" + digest.hex
        guard access(path, F_OK) == 0,
              let stored = try? InputFile.readAll(path: path, limit: LayerCache.documentSizeLimit + 256),
              let newline = stored.firstIndex(of: 0x0A) else { return nil }
        let bytes = Array(stored[(newline + 1)...])
        guard Digest.sha256(of: bytes) == digest else {
            logger.debug("cached document \(path) does not hash to \(digest); fetching it again")
            return nil
        }
        return (bytes, String(decoding: stored[..<newline], as: UTF8.self))
    }

    /// Keeps `bytes` (whose sha256 is `digest`) for later builds.
    func storeDocument(_ bytes: [UInt8], digest: Digest, mediaType: String) {
        guard bytes.count <= LayerCache.documentSizeLimit, digest.algorithm == "sha256",
              !mediaType.utf8.contains(0x0A) else { return }
        do {
            try LayerBuilder.makeDirectory(documentsDirectory, mode: 0o700)
            try OutputFile.writeAtomically(Array(mediaType.utf8) + [0x0A] + bytes,
                                           to: documentsDirectory + "/sha256-" + digest.hex)
        } catch {
            reportUnwritable("\(error)")
        }
    }
}

extension RegistryClient {
    /// `manifest(for:)` through `cache`: a tag is resolved with a `HEAD`, and
    /// the manifest is fetched only when the cache does not hold its digest.
    public func manifest(for reference: ImageReference, cache: LayerCache?) throws -> RemoteManifest {
        guard let cache else { return try manifest(for: reference) }
        var digest = reference.digest
        if digest == nil {
            guard let descriptor = try manifestDescriptor(for: reference) else {
                throw RegistryError.manifestNotFound(reference)
            }
            digest = descriptor.digest
        }
        if let digest, let cached = cache.document(digest) {
            logger.debug("manifest \(reference) (\(digest)) from the cache")
            return RemoteManifest(bytes: cached.bytes, mediaType: cached.mediaType, digest: digest)
        }
        let fetched = try manifest(for: digest.map { reference.repositoryReference.at($0) } ?? reference)
        cache.storeDocument(fetched.bytes, digest: fetched.digest, mediaType: fetched.mediaType)
        return fetched
    }

    /// `blob(_:from:)` through `cache`, for small blobs such as image configs.
    public func blob(_ digest: Digest, from repository: RepositoryReference, cache: LayerCache?) throws -> [UInt8] {
        if let cached = cache?.document(digest) { return cached.bytes }
        let bytes = try blob(digest, from: repository)
        cache?.storeDocument(bytes, digest: digest, mediaType: "application/octet-stream")
        return bytes
    }
}
