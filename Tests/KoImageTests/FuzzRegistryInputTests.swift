import Foundation
import KoHTTP
import KoImage
import KoJSON
import TestSupport
import Testing

/// Seeded random corpora (see `FaultyInputs`) thrown at every parser of input
/// that reaches ko from users or registries: `WWW-Authenticate`, image
/// references, digests, manifests, indexes, configs, and, over loopback from
/// a hostile server, manifests, configs, token answers, challenges and error
/// documents. Every input must end in a result or a one-line error; a crash
/// ends the test run.
///
/// Each test prints `fuzz-tally: <name> inputs=N`.
struct FuzzRegistryInputTests {
    /// A one-line, non-empty message, else a recorded issue naming the input.
    static func expectOneLine(_ error: any Error, input: Int, _ name: String) {
        let text = "\(error)"
        if text.isEmpty || text.contains("\n") || text.contains("\r") {
            Issue.record("\(name) input #\(input): error is not one line: \(text.debugDescription)")
        }
    }

    static func tally(_ name: String, _ count: Int) {
        print("fuzz-tally: \(name) inputs=\(count)")
    }

    static let challengeSeeds = [
        #"Bearer realm="https://auth.example.io/token",service="registry.example.io",scope="repository:a/b:pull""#,
        #"Basic realm="Registry Realm""#, #"Bearer realm=https://x/y,service=z"#,
        #"Basic realm="a", Bearer realm="b", error="invalid_token""#, "Negotiate abc123==", "Bearer",
        #"Bearer realm="a\"b\\c",service="x""#, #"Digest realm="x",nonce="y",qop="auth,auth-int""#,
    ]

    @Test func wwwAuthenticateParser() {
        var inputs = FaultyInputs(seeds: Self.challengeSeeds, seed: 11)
        let count = FaultyInputs.count(30_000)
        for _ in 0..<count {
            let header = inputs.nextText()
            guard let challenges = AuthChallenge.parse(header) else { continue }
            #expect(!challenges.isEmpty)
            for challenge in challenges {
                #expect(!challenge.scheme.isEmpty, "input #\(inputs.produced): \(header.debugDescription)")
                // What we print of a challenge parses back to the same challenge.
                if challenge.token68 == nil, let again = AuthChallenge.parse(challenge.description) {
                    #expect(again.first?.parameters == challenge.parameters,
                            "input #\(inputs.produced): \(header.debugDescription)")
                }
            }
        }
        Self.tally("WWW-Authenticate", count)
    }

    static let referenceSeeds = [
        "alpine", "alpine:3.20", "library/alpine@sha256:" + String(repeating: "a", count: 64),
        "ghcr.io/owner/app:v1.2.3", "localhost:5000/a/b/c:tag", "[::1]:5000/x:y", "127.0.0.1:5000/x",
        "registry.example.com:443/a_b/c-d.e:latest@sha256:" + String(repeating: "0", count: 64),
        "ko://github.com/x/y/cmd/z", "UPPER/case:Tag", "a/b:c:d", "",
    ]

    @Test func imageReferences() {
        var inputs = FaultyInputs(seeds: Self.referenceSeeds, seed: 12)
        let count = FaultyInputs.count(30_000)
        var parsed = 0
        for _ in 0..<count {
            let text = inputs.nextText()
            do {
                let reference = try ImageReference(parsing: text)
                parsed += 1
                // The canonical spelling parses back to the same reference.
                let again = try ImageReference(parsing: reference.description)
                #expect(again == reference, "input #\(inputs.produced): \(text.debugDescription)")
                _ = ImageReference.isValidTag(reference.tag ?? "")
            } catch {
                Self.expectOneLine(error, input: inputs.produced, "reference")
            }
        }
        #expect(parsed > 100, "the corpus must reach valid references too")
        Self.tally("image references", count)
    }

    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let manifestSeed = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\
        {"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(digest)","size":1234},\
        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(digest)","size":99,\
        "urls":["https://x"],"annotations":{"a":"b"}}],"annotations":{"org.opencontainers.image.base.name":"x"}}
        """
    static let indexSeed = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(digest)","size":7,\
        "platform":{"architecture":"arm64","os":"linux","variant":"v8","os.version":"1","os.features":["x"]}}]}
        """
    static let configSeed = """
        {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/bin"],\
        "Entrypoint":["/ko-app/x"],"User":"65532","Labels":{"a":"b"},"WorkingDir":"/"},\
        "rootfs":{"type":"layers","diff_ids":["\(digest)"]},"history":[{"created":"1970-01-01T00:00:00Z",\
        "created_by":"ko","empty_layer":true}],"variant":"v7","os.version":"10.0.1"}
        """
    static let jsonSeeds = [manifestSeed, indexSeed, configSeed,
                            #"{"a":[1,2.5e10,-0,true,null,"\u00e9\ud83d\ude00"]}"#,
                            #"{"token":"abc","expires_in":300,"access_token":"def"}"#,
                            #"{"errors":[{"code":"DENIED","message":"no","detail":{"x":1}}]}"#]

    @Test func manifestsIndexesConfigsAndJSON() {
        var inputs = FaultyInputs(seeds: Self.jsonSeeds, seed: 13)
        let count = FaultyInputs.count(30_000)
        var accepted = 0
        for _ in 0..<count {
            let bytes = inputs.next()
            let number = inputs.produced
            do {
                _ = try JSONValue(parsing: bytes)
            } catch {
                Self.expectOneLine(error, input: number, "JSON")
            }
            do {
                let manifest = try Manifest(parsing: bytes)
                accepted += 1
                _ = try? manifest.canonicalBytes()
            } catch {
                Self.expectOneLine(error, input: number, "manifest")
            }
            do {
                let index = try ImageIndex(parsing: bytes)
                accepted += 1
                _ = try? index.canonicalBytes()
            } catch {
                Self.expectOneLine(error, input: number, "index")
            }
            do {
                let config = try ImageConfig(parsing: bytes)
                accepted += 1
                _ = try config.diffIDs()
            } catch {
                Self.expectOneLine(error, input: number, "config")
            }
        }
        #expect(accepted > 100)
        Self.tally("manifests, indexes, configs, JSON", count)
    }

    @Test func digests() {
        var inputs = FaultyInputs(seeds: [Self.digest, "sha512:" + String(repeating: "f", count: 128), "sha256:"],
                                  seed: 14)
        let count = FaultyInputs.count(10_000)
        for _ in 0..<count {
            let text = inputs.nextText()
            do {
                let digest = try Digest(parsing: text)
                #expect(try Digest(parsing: digest.description) == digest)
            } catch {
                Self.expectOneLine(error, input: inputs.produced, "digest")
            }
        }
        Self.tally("digests", count)
    }

    /// Bytes as header text: each byte one Latin-1 character, line breaks dropped.
    static func headerText(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.filter { $0 != 10 && $0 != 13 }.map { Unicode.Scalar($0) }))
    }

    @Test func answersOfAHostileRegistryOverTheNetwork() throws {
        let server = try FaultProxy(upstreamPort: nil)
        let realm = "http://\(server.host)/token"
        let reference = try ImageReference(parsing: "\(server.host)/fuzz/app:v1")
        let client = RegistryClient(credentials: StaticCredentials(credential: .basic(username: "u", password: "p")),
                                    retry: .none)
        var inputs = FaultyInputs(seeds: Self.jsonSeeds, seed: 15)
        var challenges = FaultyInputs(seeds: Self.challengeSeeds.map {
            $0.replacingOccurrences(of: "https://auth.example.io/token", with: realm)
        }, seed: 16)
        let count = FaultyInputs.count(150)
        let bearer = FaultProxy.Rule(method: "GET", path: "^/v2/$", action: .respond(status: 401, headers: [
            ("WWW-Authenticate", #"Bearer realm="\#(realm)",service="fuzz""#)]), times: -1)
        let token = FaultProxy.Rule(path: "^/token", action: .respond(status: 200, body: #"{"token":"t"}"#),
                                    times: -1)
        for round in 0..<count {
            let body = inputs.next()
            let number = inputs.produced
            let fresh = RegistryClient(credentials: StaticCredentials(credential: .basic(username: "u",
                                                                                         password: "p")),
                                       retry: .none)
            // A fuzzed manifest, then a config whose digest matches but whose content is fuzzed.
            try server.plan([bearer, token, .init(path: "/manifests/", action: .respondBytes(
                status: 200, headers: [("Content-Type", round % 2 == 0 ? MediaType.ociManifest : "text/plain")],
                body: body), times: -1)])
            do {
                let remote = try client.manifest(for: reference)
                _ = try? Manifest(parsing: remote.bytes)
            } catch {
                Self.expectOneLine(error, input: number, "served manifest")
            }
            let digest = Digest.sha256(of: body)
            try server.plan([bearer, token, .init(path: "/blobs/", action: .respondBytes(status: 200, body: body),
                                                  times: -1)])
            do {
                let config = try client.blob(digest, from: reference.repositoryReference)
                _ = try? ImageConfig(parsing: config).diffIDs()
            } catch {
                Self.expectOneLine(error, input: number, "served config")
            }
            // A fuzzed token answer, and a fuzzed error document.
            try server.plan([bearer, .init(path: "^/token", action: .respondBytes(status: 200, body: body),
                                           times: -1),
                             .init(path: "/manifests/", action: .respondBytes(status: 400 + round % 100, body: body),
                                   times: -1)])
            do {
                _ = try fresh.manifest(for: reference)
            } catch {
                Self.expectOneLine(error, input: number, "served token or error document")
            }
            // A fuzzed challenge.
            let header = Self.headerText(challenges.next())
            try server.plan([.init(method: "GET", path: "^/v2/$", action: .respond(status: 401, headers: [
                ("WWW-Authenticate", header)]), times: -1), token])
            do {
                _ = try RegistryClient(credentials: StaticCredentials(credential: nil), retry: .none)
                    .manifest(for: reference)
            } catch {
                Self.expectOneLine(error, input: challenges.produced, "served challenge")
            }
        }
        Self.tally("hostile registry answers (manifest, config, token, error, challenge)", count * 5)
    }
}
