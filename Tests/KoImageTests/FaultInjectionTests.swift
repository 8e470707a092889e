import Foundation
import KoCrypto
import KoHTTP
import KoImage
import KoLog
import TestSupport
import Testing

/// The registry client through a fault-injecting proxy in front of a real
/// token-auth `docker-registry` and its token server: server errors, rate
/// limits, resets mid-upload, stalls and truncated bodies are survived;
/// persistent failures and corrupted blobs end in clear errors and no tag.
///
/// Every test prints `fault-tally: <name> injected=N survived=M`.
@Suite(.serialized)
struct FaultInjectionTests {
    /// A registry, its faulty token server, and a proxy in front of the registry.
    final class Bench: @unchecked Sendable {
        let registry: RegistryFixture
        let proxy: FaultProxy
        var tokenProxy: FaultProxy { registry.tokenProxy! }

        init() throws {
            registry = try RegistryFixture.start(auth: .token(), faultyTokenServer: true)
            proxy = try FaultProxy(upstreamPort: registry.port)
        }

        /// A fresh client through the proxy: quick retries, a 2 s stall timeout.
        func client(budget: Double = 30, attempts: Int = 6) -> RegistryClient {
            let http = HTTPClient(timeouts: HTTPTimeouts(connect: 5, lowSpeedLimit: 1, lowSpeedTime: 2))
            let logger = ProcessInfo.processInfo.environment["KO_TEST_DEBUG"] == nil ? Logger.silent
                : Logger(minimumLevel: .trace)
            return RegistryClient(credentials: StaticCredentials(credential: registry.credential), http: http,
                                  logger: logger,
                                  retry: RetryPolicy(maximumAttempts: attempts, initialDelay: 0.05,
                                                     maximumDelay: 0.4, budget: budget))
        }

        /// A client straight to the registry, to check what it really stored
        /// (its tokens still come through the token proxy).
        func directClient() -> RegistryClient {
            registry.client(retry: RetryPolicy(maximumAttempts: 6, initialDelay: 0.05, maximumDelay: 0.4, budget: 30))
        }

        func repository() -> RepositoryReference {
            RepositoryReference(registry: proxy.host,
                                repository: "faults/app-" + UUID().uuidString.lowercased().prefix(8))
        }

        func direct(_ repository: RepositoryReference) -> RepositoryReference {
            RepositoryReference(registry: registry.host, repository: repository.repository)
        }

        func clearPlans() throws {
            try proxy.plan([])
            try tokenProxy.plan([])
        }

        /// Faults fired so far by both proxies.
        func injectedCount() throws -> Int {
            try proxy.injectedFaults().count + tokenProxy.injectedFaults().count
        }
    }

    static let shared: Result<Bench, Error> = Result { try Bench() }
    let bench: Bench

    init() throws {
        bench = try Self.shared.get()
        try bench.clearPlans()
    }

    /// Checks, without the proxy, that the tag names the manifest and every blob is whole.
    func expectStored(_ image: RegistryTestImage, at repository: RepositoryReference, tag: String) throws {
        let direct = bench.directClient()
        let stored = bench.direct(repository)
        let manifest = try direct.manifest(for: stored.tagged(tag))
        #expect(manifest.bytes == image.manifest)
        for descriptor in [image.config, image.layer] {
            let hasher = MessageDigest.sha256()
            let count = try direct.streamBlob(descriptor.digest, from: stored) { hasher.update($0) }
            #expect(count == descriptor.size)
            #expect(Digest(hex: hexString(hasher.finalize())) == descriptor.digest)
        }
    }

    func tally(_ name: String, before: Int, survived: Bool) throws -> Int {
        let injected = try bench.injectedCount() - before
        print("fault-tally: \(name) injected=\(injected) survived=\(survived ? injected : 0)")
        return injected
    }

    @Test func pushSurvivesServerErrorsAtEveryStep() throws {
        let before = try bench.injectedCount()
        let blobs = #"/v2/faults/[^/]+/blobs/sha256:"#
        try bench.proxy.plan([
            .init(method: "HEAD", path: "^/v2/$", action: .status(502)),
            .init(method: "HEAD", path: blobs, action: .status(500)),
            .init(method: "POST", path: "/blobs/uploads/", action: .status(503)),
            .init(method: "PATCH", path: "/blobs/uploads/", action: .status(504)),
            // The registry keeps the blob, the client hears 500: the retry's HEAD finds it.
            .init(method: "PUT", path: "/blobs/uploads/.*digest=", action: .status(500, forward: true)),
            .init(method: "PUT", path: "/manifests/", action: .status(503, forward: true)),
            .init(method: "GET", path: "/manifests/", action: .status(500)),
        ])
        try bench.tokenProxy.plan([.init(path: "^/token", action: .status(503), times: 2)])

        let image = try RegistryTestImage()
        let repository = bench.repository()
        // Nine faults, up to six in a row on the first upload: room for ten tries.
        let digest = try image.push(with: bench.client(attempts: 10), to: repository, tag: "v1")
        #expect(digest == image.manifestDigest)
        #expect(try bench.client(attempts: 10).manifest(for: repository.tagged("v1")).digest == digest)
        try expectStored(image, at: repository, tag: "v1")
        let injected = try tally("server errors", before: before, survived: true)
        let fired = try bench.proxy.injectedFaults().map(\.path)
        #expect(injected == 9, "every rule fires: \(fired)")
    }

    @Test func rateLimitsWithRetryAfterAreWaitedOut() throws {
        let before = try bench.injectedCount()
        try bench.proxy.plan([
            .init(method: "HEAD", action: .status(429, headers: [("Retry-After", "1")]), times: 2),
            .init(method: "PUT", path: "/manifests/", action: .status(429, headers: [("Retry-After", "1")])),
        ])
        let image = try RegistryTestImage()
        let repository = bench.repository()
        try image.push(with: bench.client(), to: repository, tag: "v1")
        try expectStored(image, at: repository, tag: "v1")
        #expect(try tally("rate limits", before: before, survived: true) == 3)
    }

    @Test func aRetryAfterPastTheBudgetGivesUpAtOnce() throws {
        try bench.proxy.plan([.init(method: "GET", path: "/manifests/",
                                    action: .status(429, headers: [("Retry-After", "3600")]))])
        let repository = bench.repository()
        let error = #expect(throws: RegistryError.self) {
            try bench.client(budget: 5).manifest(for: repository.tagged("v1"))
        }
        guard case let .retriesExhausted(_, operation, attempts, _, last)? = error else {
            Issue.record("expected retriesExhausted, got \(String(describing: error))")
            return
        }
        #expect(operation.contains("fetch manifest"))
        #expect(attempts == 1)
        #expect(last.contains("asked to wait 3600s"))
    }

    @Test func anUploadResetMidwayRestartsOnANewSession() throws {
        let before = try bench.injectedCount()
        let image = try RegistryTestImage(layerSize: 2_000_000)
        try bench.proxy.plan([
            .init(method: "PATCH", path: "/blobs/uploads/", action: .resetRequest(after: 300_000), times: 2),
        ])
        let repository = bench.repository()
        let outcome = try bench.client().uploadBlob(file: image.path(of: image.layer), descriptor: image.layer,
                                                    to: repository)
        #expect(outcome == .uploaded)
        try image.push(with: bench.client(), to: repository, tag: "v1")
        try expectStored(image, at: repository, tag: "v1")

        let requests = try bench.proxy.requests().filter { $0.path.contains("/\(repository.repository)/") }
        let sessions = Set(requests.filter { $0.method == "PATCH" }.map { $0.path.split(separator: "?")[0] })
        // Cut sessions are never resumed: the layer went up on a session of its
        // own (curl may resend a PATCH once on the same session when a reused
        // connection dies, so the cuts took one or two), the config on another.
        #expect(sessions.count >= 3, "PATCH sessions: \(sessions)")
        #expect(try tally("upload resets", before: before, survived: true) == 2)
    }

    @Test func stallsTruncationsAndResetsOnPullsAreRetried() throws {
        let image = try RegistryTestImage(layerSize: 1_000_000)
        let repository = bench.repository()
        try image.push(with: bench.client(), to: repository, tag: "v1")
        let before = try bench.injectedCount()
        try bench.proxy.plan([
            .init(method: "GET", path: "/manifests/v1", action: .stall(seconds: 20)),
            .init(method: "GET", path: "/manifests/v1", action: .stallBody(seconds: 20), skip: 1),
            .init(method: "GET", path: "/blobs/\(image.layer.digest)", action: .truncate),
            .init(method: "GET", path: "/blobs/\(image.layer.digest)", action: .resetResponse(after: 100_000),
                  skip: 1),
            .init(method: "GET", path: "/blobs/\(image.config.digest)", action: .resetResponse(after: 10)),
        ])
        let client = bench.client()
        #expect(try client.manifest(for: repository.tagged("v1")).bytes == image.manifest)
        #expect(try client.manifest(for: repository.tagged("v1")).bytes == image.manifest)
        let hasher = MessageDigest.sha256()
        let count = try client.streamBlob(image.layer.digest, from: repository, expectedSize: image.layer.size) {
            hasher.update($0)
        }
        #expect(count == image.layer.size)
        #expect(Digest(hex: hexString(hasher.finalize())) == image.layer.digest)
        let file = image.directory + "/layer.download"
        try client.downloadBlob(image.layer.digest, from: repository, expectedSize: image.layer.size, toFile: file)
        #expect(Digest.sha256(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))) == image.layer.digest)
        #expect(Digest.sha256(of: try client.blob(image.config.digest, from: repository)) == image.config.digest)
        #expect(try tally("stalls and truncations", before: before, survived: true) == 5)
    }

    @Test func tokenServerFaultsAreRetried() throws {
        let before = try bench.injectedCount()
        try bench.tokenProxy.plan([
            // Rules fire in order, each once: four token requests in a row fail.
            .init(path: "^/token", action: .resetResponse(after: 5)),
            .init(path: "^/token", action: .truncate),
            .init(path: "^/token", action: .stall(seconds: 20)),
            .init(path: "^/token", action: .status(502)),
        ])
        let image = try RegistryTestImage()
        let repository = bench.repository()
        try image.push(with: bench.client(), to: repository, tag: "v1")
        try expectStored(image, at: repository, tag: "v1")
        #expect(try tally("token server faults", before: before, survived: true) == 4)
    }

    @Test func persistentFailureGivesUpNamingTheStepAndLeavesNoTag() throws {
        try bench.proxy.plan([.init(method: "PATCH", path: "/blobs/uploads/", action: .status(503), times: -1)])
        let image = try RegistryTestImage()
        let repository = bench.repository()
        let error = #expect(throws: RegistryError.self) {
            try image.push(with: bench.client(budget: 10, attempts: 4), to: repository, tag: "v1")
        }
        guard case let .retriesExhausted(registry, operation, attempts, _, last)? = error else {
            Issue.record("expected retriesExhausted, got \(String(describing: error))")
            return
        }
        #expect(registry == bench.proxy.host)
        #expect(operation == "upload blob \(image.layer.digest) to \(repository.repository)")
        #expect(attempts == 4)
        #expect(last.contains("503"))
        let message = error.map(\.description) ?? ""
        #expect(message.contains("after 4 attempts"))
        #expect(message.contains("KO_RETRY_BUDGET"))
        #expect(!message.contains("\n"))
        // Nothing was tagged, and the failed sessions left no blob behind.
        #expect(try bench.directClient().manifestDescriptor(for: bench.direct(repository).tagged("v1")) == nil)
        #expect(!(try bench.directClient().blobExists(image.layer.digest, in: bench.direct(repository))))
    }

    @Test func aCorruptedDownloadIsRejectedAndLeavesNoFile() throws {
        let image = try RegistryTestImage()
        let repository = bench.repository()
        try image.push(with: bench.client(), to: repository, tag: "v1")
        try bench.proxy.plan([.init(method: "GET", path: "/blobs/", action: .corrupt, times: -1)])
        let file = image.directory + "/corrupt.download"
        let error = #expect(throws: RegistryError.self) {
            try bench.client().downloadBlob(image.layer.digest, from: repository, toFile: file)
        }
        guard case .digestMismatch? = error else {
            Issue.record("expected digestMismatch, got \(String(describing: error))")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(throws: RegistryError.self) { try bench.client().blob(image.config.digest, from: repository) }
    }

    @Test func aBlobCorruptedOnTheWayUpIsRefusedAndNoTagPointsAtTheImage() throws {
        try bench.proxy.plan([.init(method: "PATCH", path: "/blobs/uploads/", action: .corruptRequest,
                                    times: -1)])
        let image = try RegistryTestImage()
        let repository = bench.repository()
        #expect(throws: RegistryError.self) { try image.push(with: bench.client(), to: repository, tag: "v1") }
        let direct = bench.directClient()
        let stored = bench.direct(repository)
        #expect(!(try direct.blobExists(image.layer.digest, in: stored)))
        #expect(try direct.manifestDescriptor(for: stored.tagged("v1")) == nil)
        // The registry itself refuses a manifest whose blobs are missing.
        try bench.clearPlans()
        let refused = #expect(throws: RegistryError.self) {
            try direct.putManifest(image.manifest, mediaType: MediaType.ociManifest, reference: stored.tagged("v1"))
        }
        #expect(refused.map(\.description)?.contains("MANIFEST_BLOB_UNKNOWN") == true
                || refused.map(\.description)?.contains("BLOB_UNKNOWN") == true)
    }
}

/// The retry arithmetic, without a network.
struct RetryPolicyTests {
    @Test func delaysGrowWithJitterAndStopAtTheBudgetOrTheAttempts() {
        let policy = RetryPolicy(maximumAttempts: 5, initialDelay: 1, maximumDelay: 4, budget: 100)
        let low: (ClosedRange<Double>) -> Double = { $0.lowerBound }
        let high: (ClosedRange<Double>) -> Double = { $0.upperBound }
        #expect(policy.delay(after: 1, elapsed: 0, retryAfter: nil, random: high) == 1)
        #expect(policy.delay(after: 1, elapsed: 0, retryAfter: nil, random: low) == 0.5)
        #expect(policy.delay(after: 2, elapsed: 0, retryAfter: nil, random: high) == 2)
        #expect(policy.delay(after: 4, elapsed: 0, retryAfter: nil, random: high) == 4)
        #expect(policy.delay(after: 5, elapsed: 0, retryAfter: nil, random: high) == nil)
        #expect(policy.delay(after: 1, elapsed: 99.5, retryAfter: nil, random: high) == nil)
        #expect(policy.delay(after: 1, elapsed: 0, retryAfter: 7, random: high) == 7)
        #expect(policy.delay(after: 1, elapsed: 0, retryAfter: 700, random: high) == nil)
    }

    @Test func theEnvironmentSetsTheBudget() {
        #expect(RetryPolicy(environment: [:]).budget == 60)
        #expect(RetryPolicy(environment: ["KO_RETRY_BUDGET": "12.5"]).budget == 12.5)
        #expect(!RetryPolicy(environment: ["KO_RETRY_BUDGET": "0"]).retries)
        #expect(RetryPolicy(environment: ["KO_RETRY_BUDGET": "nonsense"]).budget == 60)
        #expect(RetryPolicy(environment: ["KO_RETRY_ATTEMPTS": "9"]).maximumAttempts == 9)
        #expect(RetryPolicy(environment: ["KO_RETRY_ATTEMPTS": "-1"]).maximumAttempts == 5)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryPolicy.retryAfter("120", now: now) == 120)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:15:00 GMT", now: now) == 100)
        #expect(RetryPolicy.retryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.retryAfter(nil, now: now) == nil)
        #expect(RetryPolicy.retryAfter("-5", now: now) == 0)
    }
}

/// A server that takes connections and never answers the ping.
struct SilentRegistryTests {
    @Test func operationsWaitingOnAFailedPingShareItsAnswerInsteadOfPingingInTurn() throws {
        let proxy = try FaultProxy(upstreamPort: nil)
        try proxy.plan([.init(path: "/v2/", action: .stall(seconds: 30), times: 1000)])
        let http = HTTPClient(timeouts: HTTPTimeouts(connect: 5, lowSpeedLimit: 1, lowSpeedTime: 2))
        let client = RegistryClient(http: http, retry: .none)
        let failures = LockedLines()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                _ = try client.manifestDescriptor(for: ImageReference(parsing: "\(proxy.host)/r/app\(index):v1"))
                failures.append("answered")
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.all.count == 8)
        #expect(failures.all.allSatisfy { $0.hasPrefix("cannot reach registry \(proxy.host)") }, "\(failures.all)")
        // One ping (HEAD, and no more) for all eight, not eight in a row.
        let pings = try proxy.requests().filter { $0.path == "/v2/" }
        #expect(pings.count < 8, "\(pings.count) pings: \(pings.map(\.method))")
    }
}
