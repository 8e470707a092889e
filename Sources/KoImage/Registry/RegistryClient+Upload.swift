import Foundation
import KoCrypto
import KoHTTP

/// Blob uploads (distribution spec, "Pushing blobs", "Mounting a blob from
/// another repository").
extension RegistryClient {
    /// Puts the blob in `file` into `repository` unless it is already there.
    ///
    /// Steps: `HEAD` the blob and stop if present; with `mountFrom` on the same
    /// registry, ask for a cross-repository mount (201 means done, 202 opens an
    /// upload session to use instead); otherwise open a session with `POST`.
    /// The bytes then go in one streamed `PATCH`, closed by `PUT ?digest=`.
    /// A failed upload is never retried on the same session: a transient
    /// failure cancels it and the whole sequence, `HEAD` included, starts over.
    /// `progress` gets the running total of bytes sent (from 0 again on a retry).
    ///
    /// A file the registry lacks is hashed before its upload starts, so that
    /// one damaged on disk (a layer cache blob, say) fails with
    /// `RegistryError.blobFileDamaged` before a byte is sent, rather than with
    /// the registry's `DIGEST_INVALID` after all of them; a blob the
    /// registry has is never read.
    @discardableResult
    public func uploadBlob(file path: String, descriptor: Descriptor, to repository: RepositoryReference,
                           mountFrom source: RepositoryReference? = nil,
                           progress: (@Sendable (Int64) -> Void)? = nil) throws -> BlobUploadOutcome {
        let size = try RegistryClient.fileSize(path)
        guard size == descriptor.size else {
            throw RegistryError.sizeMismatch(what: "blob file \(path) for \(descriptor.digest)",
                                             expected: descriptor.size, actual: size)
        }
        return try upload(.file(path: path, offset: 0, length: UInt64(size)), descriptor: descriptor,
                          to: repository, mountFrom: source, progress: progress)
    }

    /// Puts a small blob held in memory (an image config) into `repository`
    /// unless it is already there; the bytes must match the descriptor.
    @discardableResult
    public func uploadBlob(bytes: [UInt8], descriptor: Descriptor, to repository: RepositoryReference,
                           mountFrom source: RepositoryReference? = nil) throws -> BlobUploadOutcome {
        guard Int64(bytes.count) == descriptor.size else {
            throw RegistryError.sizeMismatch(what: "blob \(descriptor.digest)", expected: descriptor.size,
                                             actual: Int64(bytes.count))
        }
        let actual = Digest.sha256(of: bytes)
        guard actual == descriptor.digest else {
            throw RegistryError.digestMismatch(what: "blob for \(repository)", expected: descriptor.digest,
                                               actual: actual)
        }
        return try upload(.bytes(bytes), descriptor: descriptor, to: repository, mountFrom: source)
    }

    /// Asks the registry to link `digest` from `source` into `target` (same
    /// registry). Returns false when it would not (the blob is not in `source`,
    /// or the registry does not mount); the upload session it opened instead
    /// is cancelled.
    public func mountBlob(_ digest: Digest, from source: RepositoryReference,
                          to target: RepositoryReference) throws -> Bool {
        guard source.registry == target.registry, source.repository != target.repository else { return false }
        let pushTarget = RegistryTarget(registry: target.registry, repository: target.repository, access: .push)
        let operation = "mount blob \(digest) into \(target.repository) from \(source.repository)"
        return try retrying(operation, registry: target.registry) { _ in
            switch try mount(digest, into: pushTarget, from: source.repository) {
            case .mounted:
                logger.debug("blob \(digest) mounted into \(target) from \(source.repository)")
                return true
            case let .session(location):
                cancel(location, target: pushTarget)
                return false
            }
        }
    }

    private func upload(_ body: HTTPBody, descriptor: Descriptor, to repository: RepositoryReference,
                        mountFrom source: RepositoryReference?,
                        progress: (@Sendable (Int64) -> Void)? = nil) throws -> BlobUploadOutcome {
        let digest = descriptor.digest
        let operation = "upload blob \(digest) to \(repository.repository)"
        return try retrying(operation, registry: repository.registry) { attempt in
            if try blobExistsOnce(digest, in: repository, access: .push) {
                logger.debug("blob \(digest) already in \(repository)")
                // A try that failed after the registry stored the blob still counts as an upload.
                return attempt == 1 ? .alreadyPresent : .uploaded
            }
            try RegistryClient.check(body, hashesTo: digest)
            return try uploadOnce(body, descriptor: descriptor, to: repository, mountFrom: source,
                                  progress: progress)
        }
    }

    /// One upload on one session: mount or open, `PATCH`, `PUT`. A session
    /// that failed is cancelled (best effort) before the error goes up.
    private func uploadOnce(_ body: HTTPBody, descriptor: Descriptor, to repository: RepositoryReference,
                            mountFrom source: RepositoryReference?,
                            progress: (@Sendable (Int64) -> Void)?) throws -> BlobUploadOutcome {
        let digest = descriptor.digest
        let target = RegistryTarget(registry: repository.registry, repository: repository.repository, access: .push)
        var location: String
        if let source, source.registry == repository.registry, source.repository != repository.repository {
            switch try mount(digest, into: target, from: source.repository) {
            case .mounted:
                logger.debug("blob \(digest) mounted into \(repository) from \(source.repository)")
                return .mounted
            case let .session(url):
                location = url
            }
        } else {
            location = try startUpload(target)
        }

        let session = location
        do {
            location = try patch(body, to: location, target: target, progress: progress)
            try finish(location, digest: digest, target: target)
        } catch {
            if RegistryClient.transience(of: error) != .permanent {
                logger.debug("upload session for \(digest) failed; cancelling it and starting a new one")
                cancel(location == session ? session : location, target: target)
            }
            throw error
        }
        logger.debug("blob \(digest) uploaded to \(repository) (\(descriptor.size) bytes)")
        return .uploaded
    }

    /// Best-effort `DELETE` of an upload session: an abandoned one only costs
    /// the registry until it expires.
    private func cancel(_ location: String, target: RegistryTarget) {
        var request = Request(target, "DELETE", "")
        request.url = location
        _ = try? send(request)
    }

    private enum MountResult {
        case mounted
        case session(String)
    }

    /// `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<source>`, with a
    /// token for push on the target and pull on the source.
    private func mount(_ digest: Digest, into target: RegistryTarget, from source: String) throws -> MountResult {
        let query = FormEncoding.encode([("mount", digest.description), ("from", source)])
        let request = Request(target, "POST", RegistryClient.apiPath(target.repository, "blobs/uploads/?\(query)"),
                              scopes: [.push(target.repository), .pull(source)])
        let response = try send(request)
        switch response.status {
        case 201:
            return .mounted
        case 202:
            return .session(try uploadLocation(response, request: request, target: target))
        default:
            throw failure(response, target, "mount blob \(digest) from \(source)")
        }
    }

    /// `POST /v2/<name>/blobs/uploads/`: opens an upload session.
    private func startUpload(_ target: RegistryTarget) throws -> String {
        let request = Request(target, "POST", RegistryClient.apiPath(target.repository, "blobs/uploads/"))
        let response = try send(request)
        guard response.status == 202 else {
            throw failure(response, target, "start an upload to \(target.repository)")
        }
        return try uploadLocation(response, request: request, target: target)
    }

    /// Streams the whole blob in one `PATCH` to the session; returns the next location.
    private func patch(_ body: HTTPBody, to location: String, target: RegistryTarget,
                       progress: (@Sendable (Int64) -> Void)?) throws -> String {
        var request = Request(target, "PATCH", "")
        request.url = location
        request.uploadProgress = progress
        request.headers = [("Content-Type", "application/octet-stream")]
        request.body = body
        let response = try send(request)
        // The spec answers 202; some registries say 204. Without a new
        // Location the session URL stays the same.
        guard (200..<300).contains(response.status) else {
            throw failure(response, target, "accept an upload to \(target.repository)")
        }
        guard response.header("location") != nil else { return location }
        return try uploadLocation(response, request: request, target: target)
    }

    /// `PUT <location>?digest=<digest>`: closes the session; the registry checks the digest.
    private func finish(_ location: String, digest: Digest, target: RegistryTarget) throws {
        var request = Request(target, "PUT", "")
        let separator = location.contains("?") ? "&" : "?"
        request.url = location + separator + FormEncoding.encode([("digest", digest.description)])
        let response = try send(request)
        guard (200..<300).contains(response.status) else {
            throw failure(response, target, "complete the upload of \(digest) to \(target.repository)")
        }
        if let echoed = response.header("docker-content-digest").flatMap({ try? Digest(parsing: $0) }),
           echoed != digest {
            throw RegistryError.digestMismatch(what: "blob stored in \(target.repository)", expected: digest,
                                               actual: echoed)
        }
    }

    /// The absolute URL of the `Location` header, which may be relative to the request.
    private func uploadLocation(_ response: HTTPResponse, request: Request, target: RegistryTarget) throws -> String {
        guard let location = response.header("location"), !location.isEmpty else {
            throw RegistryError.invalidUploadLocation(registry: target.registry, location: "(none)")
        }
        let session = try authenticator.session(for: target.registry)
        guard let resolved = RegistryClient.resolve(location, against: request.url ?? session.baseURL + request.path)
        else {
            throw RegistryError.invalidUploadLocation(registry: target.registry, location: location)
        }
        return resolved
    }

    /// `location` made absolute against `requestURL` (RFC 3986 §5); nil unless it is http(s).
    static func resolve(_ location: String, against requestURL: String) -> String? {
        guard let base = URL(string: requestURL), let resolved = URL(string: location, relativeTo: base),
              let scheme = resolved.scheme?.lowercased(), scheme == "http" || scheme == "https",
              resolved.host?.isEmpty == false else { return nil }
        return resolved.absoluteString
    }

    /// Throws `blobFileDamaged` when the file `body` streams does not hash
    /// to `digest`. Bytes in memory were checked when they were handed over.
    private static func check(_ body: HTTPBody, hashesTo digest: Digest) throws {
        // `uploadBlob(file:)` sends files whole.
        guard case let .file(path, 0, length) = body else { return }
        let hasher = MessageDigest.sha256()
        do {
            let read = try InputFile(path: path).forEachChunk { hasher.update($0) }
            guard read == Int64(length) else {
                throw RegistryError.sizeMismatch(what: "blob file \(path) for \(digest)", expected: Int64(length),
                                                 actual: read)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.localFile(path: path, reason: "it cannot be read (\(error))")
        }
        let actual = Digest(hex: hexString(hasher.finalize()))
        guard actual == digest else {
            throw RegistryError.blobFileDamaged(path: path, expected: digest, actual: actual)
        }
    }

    static func fileSize(_ path: String) throws -> Int64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard let size = (attributes[.size] as? NSNumber)?.int64Value else {
                throw RegistryError.localFile(path: path, reason: "its size is unknown")
            }
            return size
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.localFile(path: path, reason: "it cannot be read (\(error.localizedDescription))")
        }
    }
}
