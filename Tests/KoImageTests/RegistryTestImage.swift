import Foundation
import KoImage
import KoLog
import TestSupport

/// A tiny image written for registry tests: a config blob, one layer blob of
/// random bytes (registries do not look inside layers) and a hand-written OCI
/// manifest. Blobs live in files so that uploads stream from disk.
struct RegistryTestImage {
    let directory: String
    let config: Descriptor
    let layer: Descriptor
    let manifest: [UInt8]

    var manifestDigest: Digest { Digest.sha256(of: manifest) }

    init(layerSize: Int = 200_000, label: String = UUID().uuidString) throws {
        directory = try ProcessFixture.temporaryDirectory("ko-image")
        var layerBytes = [UInt8](repeating: 0, count: layerSize)
        var generator = SystemRandomNumberGenerator()
        for index in layerBytes.indices { layerBytes[index] = UInt8.random(in: 0...255, using: &generator) }
        layer = try RegistryTestImage.write(layerBytes, mediaType: MediaType.ociLayer, in: directory)

        let diffID = Digest.sha256(of: layerBytes)
        let configJSON = """
        {"architecture":"amd64","config":{"Labels":{"test":"\(label)"}},"os":"linux",\
        "rootfs":{"diff_ids":["\(diffID)"],"type":"layers"}}
        """
        config = try RegistryTestImage.write(Array(configJSON.utf8), mediaType: MediaType.ociConfig, in: directory)
        let manifestJSON = """
        {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)",\
        "config":{"mediaType":"\(config.mediaType)","digest":"\(config.digest)","size":\(config.size)},\
        "layers":[{"mediaType":"\(layer.mediaType)","digest":"\(layer.digest)","size":\(layer.size)}]}
        """
        manifest = Array(manifestJSON.utf8)
    }

    func path(of descriptor: Descriptor) -> String { directory + "/" + descriptor.digest.hex }

    /// Uploads both blobs and the manifest under `tag`; returns the manifest digest.
    @discardableResult
    func push(with client: RegistryClient, to repository: RepositoryReference, tag: String) throws -> Digest {
        try client.uploadBlob(file: path(of: layer), descriptor: layer, to: repository)
        try client.uploadBlob(file: path(of: config), descriptor: config, to: repository)
        return try client.putManifest(manifest, mediaType: MediaType.ociManifest, reference: repository.tagged(tag))
    }

    private static func write(_ bytes: [UInt8], mediaType: String, in directory: String) throws -> Descriptor {
        let digest = Digest.sha256(of: bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + digest.hex))
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }
}

/// Credentials handed to the client by tests.
struct StaticCredentials: RegistryCredentialSource {
    let credential: RegistryCredential?
    func credential(forRegistry registry: String) throws -> RegistryCredential? { credential }
}

/// Registries shared by the registry suites; each test uses its own repositories.
enum RegistryFixtures {
    static let basic: Result<RegistryFixture, Error> = Result { try RegistryFixture.start(auth: .basic()) }
    static let token: Result<RegistryFixture, Error> = Result { try RegistryFixture.start(auth: .token()) }
    static let open: Result<RegistryFixture, Error> = Result { try RegistryFixture.start(auth: .none) }
}

extension RegistryFixture {
    /// The fixture's own account.
    var credential: RegistryCredential {
        .basic(username: username ?? "", password: password ?? "")
    }

    /// A client logged in with the fixture's account (or `credential`).
    func client(_ credential: RegistryCredential? = nil, logger: Logger = .silent,
                retry: RetryPolicy = RetryPolicy()) -> RegistryClient {
        RegistryClient(credentials: StaticCredentials(credential: credential ?? self.credential), logger: logger,
                       retry: retry)
    }

    /// A fresh repository name on this registry.
    func repository(_ prefix: String = "acme") -> RepositoryReference {
        let suffix = UUID().uuidString.lowercased().prefix(8)
        return RepositoryReference(registry: host, repository: "\(prefix)/app-\(suffix)")
    }
}
