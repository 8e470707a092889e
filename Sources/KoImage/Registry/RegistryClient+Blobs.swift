import Foundation
import KoCrypto
import KoHTTP

/// Blobs (distribution spec, "Pulling blobs", "Checking if content exists").
extension RegistryClient {
    /// Whether `repository` has the blob (`HEAD /v2/<name>/blobs/<digest>`).
    public func blobExists(_ digest: Digest, in repository: RepositoryReference) throws -> Bool {
        try blobExists(digest, in: repository, access: .pull)
    }

    func blobExists(_ digest: Digest, in repository: RepositoryReference, access: RegistryAccess) throws -> Bool {
        let target = RegistryTarget(registry: repository.registry, repository: repository.repository, access: access)
        let response = try send(Request(target, "HEAD", RegistryClient.apiPath(repository.repository,
                                                                               "blobs/\(digest)")))
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure(response, target, "check for blob \(digest) in \(repository.repository)")
        }
    }

    /// Fetches a small blob (an image config) whole, checking its digest.
    public func blob(_ digest: Digest, from repository: RepositoryReference,
                     limit: Int = 4 << 20) throws -> [UInt8] {
        let target = RegistryTarget(registry: repository.registry, repository: repository.repository, access: .pull)
        var request = Request(target, "GET", RegistryClient.apiPath(repository.repository, "blobs/\(digest)"))
        request.bodyLimit = limit
        let response = try send(request)
        if response.status == 404 { throw RegistryError.blobNotFound(repository, digest) }
        guard response.status == 200 else { throw failure(response, target, "serve blob \(digest)") }
        let actual = Digest.sha256(of: response.body)
        guard actual == digest else {
            throw RegistryError.digestMismatch(what: "blob from \(repository)", expected: digest, actual: actual)
        }
        return response.body
    }

    /// Streams a blob into `sink` chunk by chunk, then checks its digest (and
    /// size, when given). On a mismatch the sink has seen bad bytes: the caller
    /// must discard what it wrote. Returns the number of bytes.
    @discardableResult
    public func streamBlob(_ digest: Digest, from repository: RepositoryReference, expectedSize: Int64? = nil,
                           to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let target = RegistryTarget(registry: repository.registry, repository: repository.repository, access: .pull)
        let hasher = MessageDigest.sha256()
        var count: Int64 = 0
        let request = Request(target, "GET", RegistryClient.apiPath(repository.repository, "blobs/\(digest)"))
        let response = try withoutActuallyEscaping(sink) { sink in
            try send(request) { chunk in
                hasher.update(chunk)
                count += Int64(chunk.count)
                try sink(chunk)
            }
        }
        if response.status == 404 { throw RegistryError.blobNotFound(repository, digest) }
        guard response.status == 200 else { throw failure(response, target, "serve blob \(digest)") }

        let actual = Digest(hex: hexString(hasher.finalize()))
        guard actual == digest else {
            throw RegistryError.digestMismatch(what: "blob from \(repository)", expected: digest, actual: actual)
        }
        if let expectedSize, expectedSize != count {
            throw RegistryError.sizeMismatch(what: "blob \(digest) from \(repository)", expected: expectedSize,
                                             actual: count)
        }
        return count
    }

    /// Downloads a blob to `path`, which appears only once the digest checked out.
    @discardableResult
    public func downloadBlob(_ digest: Digest, from repository: RepositoryReference, expectedSize: Int64? = nil,
                             toFile path: String) throws -> Int64 {
        let partial = path + ".partial-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial) else {
            throw RegistryError.localFile(path: partial, reason: "cannot create the download file")
        }
        var finished = false
        defer {
            try? handle.close()
            if !finished { try? FileManager.default.removeItem(atPath: partial) }
        }
        let count = try streamBlob(digest, from: repository, expectedSize: expectedSize) { chunk in
            try handle.write(contentsOf: Data(chunk))
        }
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        finished = true
        return count
    }
}
