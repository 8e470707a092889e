import Foundation
import KoCrypto
import KoImage
import KoLog
import TestSupport
import Testing

/// The registry client against a real `docker-registry` with htpasswd Basic auth.
struct RegistryClientTests {
    let registry: RegistryFixture

    init() throws {
        registry = try RegistryFixtures.basic.get()
    }

    @Test func pushesBlobsAndManifestAndPullsThemBack() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let repository = registry.repository()

        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer,
                                      to: repository) == .uploaded)
        #expect(try client.uploadBlob(file: image.path(of: image.config), descriptor: image.config,
                                      to: repository) == .uploaded)
        let digest = try client.putManifest(image.manifest, mediaType: MediaType.ociManifest,
                                            reference: repository.tagged("v1"))
        #expect(digest == image.manifestDigest)

        let byTag = try client.manifest(for: repository.tagged("v1"))
        #expect(byTag.bytes == image.manifest)
        #expect(byTag.mediaType == MediaType.ociManifest)
        #expect(byTag.digest == digest)
        let byDigest = try client.manifest(for: repository.at(digest))
        #expect(byDigest.bytes == image.manifest)

        let head = try #require(try client.manifestDescriptor(for: repository.tagged("v1")))
        #expect(head == Descriptor(mediaType: MediaType.ociManifest, digest: digest,
                                   size: Int64(image.manifest.count)))

        let config = try client.blob(image.config.digest, from: repository)
        #expect(Digest.sha256(of: config) == image.config.digest)

        let hasher = MessageDigest.sha256()
        let count = try client.streamBlob(image.layer.digest, from: repository, expectedSize: image.layer.size) {
            hasher.update($0)
        }
        #expect(count == image.layer.size)
        #expect(Digest(hex: hexString(hasher.finalize())) == image.layer.digest)

        let downloaded = image.directory + "/downloaded"
        try client.downloadBlob(image.layer.digest, from: repository, toFile: downloaded)
        let bytes = try #require(FileManager.default.contents(atPath: downloaded))
        #expect(Digest.sha256(of: bytes) == image.layer.digest)
    }

    @Test func pushSkipsBlobsTheRegistryHas() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let repository = registry.repository()
        try image.push(with: client, to: repository, tag: "v1")

        #expect(try client.blobExists(image.layer.digest, in: repository))
        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer,
                                      to: repository) == .alreadyPresent)
        // A fresh client learns the same from its HEAD.
        #expect(try registry.client().uploadBlob(file: image.path(of: image.config), descriptor: image.config,
                                                 to: repository) == .alreadyPresent)
    }

    @Test func mountsBlobsAcrossRepositories() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let source = registry.repository("base")
        let target = registry.repository("acme")
        try image.push(with: client, to: source, tag: "base")

        #expect(!(try client.blobExists(image.layer.digest, in: target)))
        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer, to: target,
                                      mountFrom: source) == .mounted)
        #expect(try client.blobExists(image.layer.digest, in: target))
        #expect(try client.blob(image.layer.digest, from: target).count == Int(image.layer.size))
    }

    @Test func mountOfAMissingBlobFallsBackToUpload() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let emptySource = registry.repository("empty")
        let target = registry.repository("acme")

        #expect(try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer, to: target,
                                      mountFrom: emptySource) == .uploaded)
        #expect(try client.blobExists(image.layer.digest, in: target))
    }

    @Test func wrongPasswordGivesAClearRefusal() throws {
        let client = registry.client(.basic(username: registry.username ?? "", password: "wrong-password"))
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository("acme")
        let error = #expect(throws: RegistryError.self) {
            try image.push(with: client, to: repository, tag: "v1")
        }
        guard case let .refused(host, name, access, status, _, hadCredential)? = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(host == registry.host)
        #expect(name == repository.repository)
        #expect(access == .push)
        #expect(status == 401)
        #expect(hadCredential)
        let message = text(error)
        #expect(message.hasPrefix("registry \(registry.host) refused the push of \(repository.repository) "
                                  + "(401 UNAUTHORIZED"))
        #expect(message.contains("'ko login \(registry.host)'"))
        #expect(!message.contains("wrong-password"))
    }

    @Test func anonymousPushIsToldToLogIn() throws {
        let client = RegistryClient()
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository("acme")
        let error = #expect(throws: RegistryError.self) {
            try image.push(with: client, to: repository, tag: "v1")
        }
        #expect(text(error).contains(
            "registry \(registry.host) refused the push of \(repository.repository) (401 UNAUTHORIZED"))
        #expect(text(error).hasSuffix("log in with 'ko login \(registry.host)'"))
    }

    @Test func missingContentIsReportedAsNotFound() throws {
        let client = registry.client()
        let repository = registry.repository()
        let absent = Digest.sha256(of: Array("absent".utf8))
        #expect(try client.manifestDescriptor(for: repository.tagged("nope")) == nil)
        let error = #expect(throws: RegistryError.self) { try client.manifest(for: repository.tagged("nope")) }
        guard case .manifestNotFound? = error else {
            Issue.record("expected manifestNotFound, got \(String(describing: error))")
            return
        }
        #expect(!(try client.blobExists(absent, in: repository)))
        #expect(throws: RegistryError.self) { try client.blob(absent, from: repository) }
    }

    @Test func fileOfTheWrongSizeIsRefusedBeforeUploading() throws {
        let image = try RegistryTestImage(layerSize: 100)
        var wrong = image.layer
        wrong.size += 1
        let error = #expect(throws: RegistryError.self) {
            try registry.client().uploadBlob(file: image.path(of: image.layer), descriptor: wrong,
                                             to: registry.repository())
        }
        guard case .sizeMismatch? = error else {
            Issue.record("expected sizeMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func manifestPinnedToAnotherDigestIsRefused() throws {
        let image = try RegistryTestImage(layerSize: 10)
        let other = Digest.sha256(of: Array("other".utf8))
        #expect(throws: RegistryError.self) {
            try registry.client().putManifest(image.manifest, mediaType: MediaType.ociManifest,
                                              reference: registry.repository().at(other))
        }
    }

    @Test func manifestPushedByDigestCanBeFetchedByDigest() throws {
        let client = registry.client()
        let image = try RegistryTestImage(layerSize: 10)
        let repository = registry.repository()
        try client.uploadBlob(file: image.path(of: image.layer), descriptor: image.layer, to: repository)
        try client.uploadBlob(file: image.path(of: image.config), descriptor: image.config, to: repository)
        let digest = try client.putManifest(image.manifest, mediaType: MediaType.ociManifest,
                                            reference: repository.at(image.manifestDigest))
        #expect(try client.manifest(for: repository.at(digest)).bytes == image.manifest)
    }

    @Test func skopeoSeesThePushedManifest() throws {
        let client = registry.client()
        let image = try RegistryTestImage()
        let repository = registry.repository()
        let digest = try image.push(with: client, to: repository, tag: "v1")

        let authFile = try #require(try registry.writeAuthFile())
        let result = try ProcessRunner.check("skopeo", ["inspect", "--tls-verify=false", "--authfile", authFile,
                                                        "docker://\(repository.tagged("v1"))"])
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput))
        let inspected = try #require(object as? [String: Any])
        #expect(inspected["Digest"] as? String == digest.description)
        #expect(inspected["Os"] as? String == "linux")
        let layers = try #require(inspected["Layers"] as? [String])
        #expect(layers == [image.layer.digest.description])
    }

    @Test func parallelUploadsShareOneClient() throws {
        let client = registry.client()
        let repository = registry.repository()
        let images = try (0..<6).map { _ in try RegistryTestImage(layerSize: 50_000) }
        let failures = LockedLines()
        DispatchQueue.concurrentPerform(iterations: images.count) { index in
            do {
                try images[index].push(with: client, to: repository, tag: "t\(index)")
            } catch {
                failures.append("\(index): \(error)")
            }
        }
        #expect(failures.all.isEmpty)
        for (index, image) in images.enumerated() {
            #expect(try client.manifest(for: repository.tagged("t\(index)")).digest == image.manifestDigest)
        }
    }

    @Test func checkLoginAcceptsTheRightPasswordOnly() throws {
        let client = RegistryClient()
        try client.checkLogin(registry: registry.host, credential: registry.credential)
        let error = #expect(throws: RegistryError.self) {
            try client.checkLogin(registry: registry.host,
                                  credential: .basic(username: registry.username ?? "", password: "nope"))
        }
        guard case .loginRefused(_, 401, _)? = error else {
            Issue.record("expected loginRefused, got \(String(describing: error))")
            return
        }
        #expect(text(error).contains("login to \(registry.host) refused"))
    }

    @Test func openRegistryNeedsNoCredentials() throws {
        let open = try RegistryFixtures.open.get()
        let client = RegistryClient()
        let image = try RegistryTestImage(layerSize: 10)
        let repository = open.repository()
        let digest = try image.push(with: client, to: repository, tag: "latest")
        #expect(try client.manifest(for: repository.tagged("latest")).digest == digest)
        try client.checkLogin(registry: open.host, credential: .basic(username: "any", password: "thing"))
    }

    @Test func unreachableRegistryIsReportedAsSuch() throws {
        let host = "127.0.0.1:\(try Ports.free())"
        let error = #expect(throws: RegistryError.self) {
            try RegistryClient(retry: .none).manifest(for: ImageReference(parsing: "\(host)/a/b:c"))
        }
        guard case .unreachable? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(text(error).hasPrefix("cannot reach registry \(host): "))
    }

    @Test func aRegistryRefusingTheFirstConnectionFailsAtOnceWithoutRetrying() throws {
        let host = "127.0.0.1:\(try Ports.free())"
        let warnings = LockedLines()
        let logger = Logger(minimumLevel: .warning) { _, line in warnings.append(line) }
        let client = RegistryClient(logger: logger, retry: RetryPolicy(maximumAttempts: 4, initialDelay: 0.1))
        let error = #expect(throws: RegistryError.self) {
            try client.manifest(for: ImageReference(parsing: "\(host)/a/b:c"))
        }
        guard case .unreachable? = error else {
            Issue.record("expected unreachable at once, got \(String(describing: error))")
            return
        }
        #expect(text(error).contains("cannot connect to http://\(host)/v2/"))
        #expect(warnings.all.isEmpty, "retried a registry that was never there: \(warnings.all)")
    }

    @Test func aRegistryThatAnsweredAndThenRefusesIsWaitedFor() throws {
        let own = try RegistryFixture.start()
        let warnings = LockedLines()
        let logger = Logger(minimumLevel: .warning) { _, line in warnings.append(line) }
        let client = RegistryClient(logger: logger, retry: RetryPolicy(maximumAttempts: 3, initialDelay: 0.1))
        let missing = RepositoryReference(registry: own.host, repository: "acme/none").tagged("v1")
        #expect(try client.manifestDescriptor(for: missing) == nil)
        own.stop()
        let error = #expect(throws: RegistryError.self) { try client.manifestDescriptor(for: missing) }
        guard case let .retriesExhausted(_, _, attempts, _, last)? = error else {
            Issue.record("expected the stopped registry to be retried, got \(String(describing: error))")
            return
        }
        #expect(attempts == 3)
        #expect(last.contains("cannot connect"))
        #expect(warnings.all.count == 2)
    }

    private func text(_ error: RegistryError?) -> String { error.map(\.description) ?? "" }
}

/// The in-memory upload and the standalone mount the publisher uses.
struct RegistryBlobOperationTests {
    let registry: RegistryFixture

    init() throws {
        registry = try RegistryFixtures.basic.get()
    }

    @Test func uploadsBytesFromMemory() throws {
        let client = registry.client()
        let repository = registry.repository()
        let bytes = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
        let descriptor = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: bytes),
                                    size: Int64(bytes.count))
        #expect(try client.uploadBlob(bytes: bytes, descriptor: descriptor, to: repository) == .uploaded)
        #expect(try client.uploadBlob(bytes: bytes, descriptor: descriptor, to: repository) == .alreadyPresent)
        #expect(try client.blob(descriptor.digest, from: repository) == bytes)
    }

    @Test func bytesThatDoNotMatchTheDescriptorAreRefused() throws {
        let bytes = Array("content".utf8)
        let wrong = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: Array("other".utf8)),
                               size: Int64(bytes.count))
        let error = #expect(throws: RegistryError.self) {
            try registry.client().uploadBlob(bytes: bytes, descriptor: wrong, to: registry.repository())
        }
        guard case .digestMismatch? = error else {
            Issue.record("expected digestMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func mountBlobReportsWhetherTheRegistryMounted() throws {
        let client = registry.client()
        let image = try RegistryTestImage(layerSize: 1000)
        let source = registry.repository("base")
        let target = registry.repository("acme")
        try image.push(with: client, to: source, tag: "v1")

        #expect(try client.mountBlob(image.layer.digest, from: source, to: target))
        #expect(try client.blobExists(image.layer.digest, in: target))
        let missing = Digest.sha256(of: Array("missing".utf8))
        #expect(!(try client.mountBlob(missing, from: source, to: target)))
        #expect(!(try client.blobExists(missing, in: target)))
        // Across registries there is nothing to ask.
        let elsewhere = RepositoryReference(registry: "127.0.0.1:1", repository: "acme/app")
        #expect(!(try client.mountBlob(image.layer.digest, from: elsewhere, to: target)))
    }
}
