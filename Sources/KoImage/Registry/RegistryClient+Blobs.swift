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
        let operation = "check for blob \(digest) in \(repository.repository)"
        return try retrying(operation, registry: repository.registry) { _ in
            try blobExistsOnce(digest, in: repository, access: access)
        }
    }

    /// One `HEAD` for the blob, without retries.
    func blobExistsOnce(_ digest: Digest, in repository: RepositoryReference, access: RegistryAccess) throws
        -> Bool {
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
        let response = try retrying("fetch blob \(digest) from \(repository.repository)",
                                    registry: repository.registry) { _ in
            let response = try send(request)
            if response.status == 404 { throw RegistryError.blobNotFound(repository, digest) }
            guard response.status == 200 else { throw failure(response, target, "serve blob \(digest)") }
            return response
        }
        let actual = Digest.sha256(of: response.body)
        guard actual == digest else {
            throw RegistryError.digestMismatch(what: "blob from \(repository)", expected: digest, actual: actual)
        }
        return response.body
    }

    /// Streams a blob into `sink` chunk by chunk, then checks its digest (and
    /// size, when given). On a mismatch the sink has seen bad bytes: the caller
    /// must discard what it wrote. Returns the number of bytes.
    ///
    /// A transfer cut short is resumed where it stopped (`Range`), so the sink
    /// sees every byte exactly once, in order.
    @discardableResult
    public func streamBlob(_ digest: Digest, from repository: RepositoryReference, expectedSize: Int64? = nil,
                           to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let target = RegistryTarget(registry: repository.registry, repository: repository.repository, access: .pull)
        let hasher = MessageDigest.sha256()
        var count: Int64 = 0
        try withoutActuallyEscaping(sink) { sink in
            try retrying("fetch blob \(digest) from \(repository.repository)", registry: repository.registry) { _ in
                var request = Request(target, "GET", RegistryClient.apiPath(repository.repository,
                                                                            "blobs/\(digest)"))
                let resumeAt = count
                if resumeAt > 0 { request.headers = [("Range", "bytes=\(resumeAt)-")] }
                // Bytes of this answer that were already received (a server
                // ignoring Range starts over from byte 0).
                var skip: Int64 = 0
                let head: (Int, [String: [String]]) throws -> Void = { status, headers in
                    guard resumeAt > 0 else { return }
                    if status == 206 {
                        let range = headers["content-range"]?.first ?? ""
                        guard RegistryClient.contentRangeStart(range) == resumeAt else {
                            throw RegistryError.unexpectedResponse(
                                registry: repository.registry, operation: "resume blob \(digest) at \(resumeAt)",
                                status: status, detail: "Content-Range '\(range.prefix(100))'")
                        }
                    } else {
                        skip = resumeAt
                    }
                }
                let response = try send(request, head: head) { chunk in
                    var bytes = chunk
                    if skip > 0 {
                        let dropped = Int(min(Int64(bytes.count), skip))
                        skip -= Int64(dropped)
                        bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
                        if bytes.isEmpty { return }
                    }
                    hasher.update(bytes)
                    count += Int64(bytes.count)
                    if let expectedSize, count > expectedSize {
                        throw RegistryError.sizeMismatch(what: "blob \(digest) from \(repository)",
                                                         expected: expectedSize, actual: count)
                    }
                    try sink(bytes)
                }
                if response.status == 404 { throw RegistryError.blobNotFound(repository, digest) }
                guard response.status == 200 || response.status == 206 && resumeAt > 0 else {
                    throw failure(response, target, "serve blob \(digest)")
                }
            }
        }

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

    /// The first byte position of `bytes START-END/TOTAL`, or nil.
    static func contentRangeStart(_ value: String) -> Int64? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let range = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = range.firstIndex(of: "-") else { return nil }
        return Int64(range[..<dash])
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
