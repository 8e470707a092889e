import Foundation
import KoHTTP

/// Manifests (distribution spec, "Pulling manifests", "Pushing Manifests").
extension RegistryClient {
    /// Fetches the manifest or index `reference` names, accepting the OCI and
    /// Docker v2 manifest and index types.
    ///
    /// When the reference has a digest, the bytes must hash to it; when the
    /// registry sends `Docker-Content-Digest`, the bytes must hash to that.
    public func manifest(for reference: ImageReference) throws -> RemoteManifest {
        let target = RegistryTarget(registry: reference.registry, repository: reference.repository, access: .pull)
        var request = Request(target, "GET", RegistryClient.apiPath(reference.repository,
                                                                    "manifests/\(reference.identifier)"))
        request.headers = [("Accept", MediaType.acceptedManifests.joined(separator: ", "))]
        request.bodyLimit = RegistryClient.manifestSizeLimit
        let response = try retrying("fetch manifest \(reference)", registry: reference.registry) { _ in
            let response: HTTPResponse
            do {
                response = try send(request)
            } catch HTTPError.bodyTooLarge {
                throw RegistryError.invalidManifest(reference: reference.description, reason: "it is larger than "
                                                    + "\(RegistryClient.manifestSizeLimit) bytes")
            }
            if response.status == 404 { throw RegistryError.manifestNotFound(reference) }
            guard response.status == 200 else { throw failure(response, target, "serve manifest \(reference)") }
            return response
        }

        let digest = Digest.sha256(of: response.body)
        try verify(digest, of: response, reference: reference)
        let mediaType = try RegistryClient.mediaType(of: response, reference: reference)
        logger.debug("fetched manifest \(reference) (\(mediaType), \(digest))")
        return RemoteManifest(bytes: response.body, mediaType: mediaType, digest: digest)
    }

    /// The descriptor of the manifest `reference` names, from a `HEAD`, or nil
    /// when there is none. Falls back to a `GET` when the registry omits the digest.
    public func manifestDescriptor(for reference: ImageReference) throws -> Descriptor? {
        let target = RegistryTarget(registry: reference.registry, repository: reference.repository, access: .pull)
        var request = Request(target, "HEAD", RegistryClient.apiPath(reference.repository,
                                                                     "manifests/\(reference.identifier)"))
        request.headers = [("Accept", MediaType.acceptedManifests.joined(separator: ", "))]
        let found = try retrying("look up manifest \(reference)", registry: reference.registry) { _ -> HTTPResponse? in
            let response = try send(request)
            if response.status == 404 { return nil }
            guard response.status == 200 else { throw failure(response, target, "serve manifest \(reference)") }
            return response
        }
        guard let response = found else { return nil }
        guard let digestText = response.header("docker-content-digest"),
              let digest = try? Digest(parsing: digestText),
              let size = response.header("content-length").flatMap({ Int64($0) }),
              let contentType = response.header("content-type").map(RegistryClient.bareMediaType),
              MediaType.acceptedManifests.contains(contentType) else {
            return try manifest(for: reference).descriptor
        }
        if let pinned = reference.digest, pinned != digest {
            throw RegistryError.digestMismatch(what: "manifest \(reference)", expected: pinned, actual: digest)
        }
        return Descriptor(mediaType: contentType, digest: digest, size: size)
    }

    /// Uploads a manifest or index under `reference`'s tag (or digest) and
    /// returns its digest. `bytes` are sent exactly as given.
    @discardableResult
    public func putManifest(_ bytes: [UInt8], mediaType: String, reference: ImageReference) throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        if let pinned = reference.digest, pinned != digest {
            throw RegistryError.digestMismatch(what: "manifest for \(reference)", expected: pinned, actual: digest)
        }
        let target = RegistryTarget(registry: reference.registry, repository: reference.repository, access: .push)
        let identifier = reference.tag ?? digest.description
        var request = Request(target, "PUT", RegistryClient.apiPath(reference.repository, "manifests/\(identifier)"))
        request.headers = [("Content-Type", mediaType)]
        request.body = .bytes(bytes)
        let operation = "store manifest \(reference.repositoryReference):\(identifier)"
        // PUT is idempotent: a try whose answer was lost may have stored it; the next stores the same bytes.
        let response = try retrying(operation, registry: reference.registry) { _ in
            let response = try send(request)
            guard (200..<300).contains(response.status) else { throw failure(response, target, operation) }
            return response
        }
        if let echoed = response.header("docker-content-digest").flatMap({ try? Digest(parsing: $0) }),
           echoed != digest {
            throw RegistryError.digestMismatch(what: "manifest stored as \(reference)", expected: digest,
                                               actual: echoed)
        }
        logger.debug("pushed manifest \(reference.repositoryReference):\(identifier) (\(digest))")
        return digest
    }

    // MARK: Helpers

    private func verify(_ digest: Digest, of response: HTTPResponse, reference: ImageReference) throws {
        if let pinned = reference.digest, pinned != digest {
            throw RegistryError.digestMismatch(what: "manifest \(reference)", expected: pinned, actual: digest)
        }
        if let header = response.header("docker-content-digest"), let claimed = try? Digest(parsing: header),
           claimed.algorithm == "sha256", claimed != digest {
            throw RegistryError.digestMismatch(what: "manifest \(reference)", expected: claimed, actual: digest)
        }
    }

    /// The media type from `Content-Type`, or from the document's own
    /// `mediaType` field when the header is generic.
    static func mediaType(of response: HTTPResponse, reference: ImageReference) throws -> String {
        if let header = response.header("content-type").map(bareMediaType),
           MediaType.acceptedManifests.contains(header) {
            return header
        }
        struct Probe: Decodable {
            var mediaType: String?
            var manifests: [AnyDecodable]?
            var layers: [AnyDecodable]?
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(response.body)) else {
            throw RegistryError.invalidManifest(reference: reference.description, reason: "it is not JSON")
        }
        if let declared = probe.mediaType {
            guard MediaType.acceptedManifests.contains(declared) else {
                throw RegistryError.invalidManifest(reference: reference.description,
                                                    reason: "media type '\(declared)' is not supported")
            }
            return declared
        }
        // OCI allows omitting mediaType; the shape tells index from manifest.
        if probe.manifests != nil { return MediaType.ociIndex }
        if probe.layers != nil { return MediaType.ociManifest }
        throw RegistryError.invalidManifest(reference: reference.description,
                                            reason: "it has no media type and is neither manifest nor index")
    }

    /// `application/json; charset=utf-8` → `application/json`.
    static func bareMediaType(_ header: String) -> String {
        header.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
    }
}

/// Decodes and discards any JSON value (to test only for a key's presence).
private struct AnyDecodable: Decodable {
    init(from decoder: Decoder) throws {}
}
