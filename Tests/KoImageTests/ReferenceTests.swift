import KoImage
import Testing

/// `ImageReference` parsing against the distribution reference grammar and
/// Docker Hub normalization.
struct ReferenceTests {
    struct Valid: CustomTestStringConvertible, Sendable {
        let text: String
        let registry: String
        let repository: String
        let tag: String?
        let digest: String?
        var testDescription: String { text }
    }

    static let hex = String(repeating: "ab", count: 32)

    static let valid: [Valid] = [
        Valid(text: "alpine", registry: "index.docker.io", repository: "library/alpine", tag: "latest", digest: nil),
        Valid(text: "alpine:3.20", registry: "index.docker.io", repository: "library/alpine", tag: "3.20",
              digest: nil),
        Valid(text: "docker.io/alpine", registry: "index.docker.io", repository: "library/alpine",
              tag: "latest", digest: nil),
        Valid(text: "index.docker.io/library/alpine:edge", registry: "index.docker.io",
              repository: "library/alpine", tag: "edge", digest: nil),
        Valid(text: "docker.io/acme/app", registry: "index.docker.io", repository: "acme/app", tag: "latest",
              digest: nil),
        Valid(text: "acme/app:v1", registry: "index.docker.io", repository: "acme/app", tag: "v1", digest: nil),
        Valid(text: "127.0.0.1:5000/acme/app", registry: "127.0.0.1:5000", repository: "acme/app",
              tag: "latest", digest: nil),
        Valid(text: "localhost/app", registry: "localhost", repository: "app", tag: "latest", digest: nil),
        Valid(text: "localhost:5000/app:tag_1.0-rc", registry: "localhost:5000", repository: "app",
              tag: "tag_1.0-rc", digest: nil),
        Valid(text: "ghcr.io/owner/repo/sub/path:main", registry: "ghcr.io", repository: "owner/repo/sub/path",
              tag: "main", digest: nil),
        Valid(text: "gcr.io/p/app@sha256:\(hex)", registry: "gcr.io", repository: "p/app", tag: nil,
              digest: "sha256:\(hex)"),
        Valid(text: "gcr.io/p/app:v2@sha256:\(hex)", registry: "gcr.io", repository: "p/app", tag: "v2",
              digest: "sha256:\(hex)"),
        Valid(text: "[::1]:5000/app", registry: "[::1]:5000", repository: "app", tag: "latest", digest: nil),
        Valid(text: "my-registry.example.com:443/a.b/c_d/e__f/g-h--i", registry: "my-registry.example.com:443",
              repository: "a.b/c_d/e__f/g-h--i", tag: "latest", digest: nil),
        Valid(text: "example.com/app:_underscore", registry: "example.com", repository: "app",
              tag: "_underscore", digest: nil),
        Valid(text: "example.com/app:" + String(repeating: "t", count: 128), registry: "example.com",
              repository: "app", tag: String(repeating: "t", count: 128), digest: nil),
        Valid(text: "Example.com/app", registry: "Example.com", repository: "app", tag: "latest", digest: nil),
    ]

    @Test(arguments: valid)
    func parsesValidReferences(_ expected: Valid) throws {
        let reference = try ImageReference(parsing: expected.text)
        #expect(reference.registry == expected.registry)
        #expect(reference.repository == expected.repository)
        #expect(reference.tag == expected.tag)
        #expect(reference.digest?.description == expected.digest)
    }

    static let invalid: [(String, String)] = [
        ("", "empty"),
        ("Alpine", "must be lowercase"),
        ("acme/App", "must be lowercase"),
        ("127.0.0.1:5000/Acme/app", "must be lowercase"),
        ("alpine:", "tag"),
        ("alpine:-dash", "tag"),
        ("alpine:.dot", "tag"),
        ("alpine:" + String(repeating: "t", count: 129), "tag"),
        ("alpine@sha256:abc", "not a digest"),
        ("alpine@md5:\(hex)", "not a digest"),
        ("acme//app", "repository name"),
        ("acme/app/", "repository name"),
        ("acme/-app", "repository name"),
        ("acme/app-", "repository name"),
        ("acme/a...b", "repository name"),
        ("acme/a___b", "repository name"),
        ("example.com/", "repository name"),
        ("exa_mple.com/app", "registry host"),
        ("-example.com/app", "registry host"),
        ("example.com:port/app", "registry host"),
        ("example.com:123456/app", "registry host"),
        ("acme/app name", "spaces"),
        ("acme/appé", "non-ASCII"),
        (":tag", "missing"),
        ("example.com/" + String(repeating: "a", count: 250), "longer than 255"),
    ]

    @Test(arguments: invalid)
    func refusesInvalidReferences(_ text: String, _ reason: String) {
        let error = #expect(throws: ImageError.self) { try ImageReference(parsing: text) }
        #expect(String(describing: error).contains(reason))
    }

    @Test func uppercaseRepositoryMessageNamesTheProblem() {
        let error = #expect(throws: ImageError.self) { try ImageReference(parsing: "127.0.0.1:5000/Acme/App") }
        #expect(error?.description == "invalid image reference '127.0.0.1:5000/Acme/App': "
            + "repository name 'Acme/App' must be lowercase")
    }

    @Test(arguments: [("latest", true), ("v1.2.3-rc_1", true), ("_x", true), (String(repeating: "a", count: 128), true),
                      ("", false), (".x", false), ("-x", false), ("a/b", false), ("a:b", false),
                      (String(repeating: "a", count: 129), false)])
    func tagValidation(_ tag: String, _ valid: Bool) {
        #expect(ImageReference.isValidTag(tag) == valid)
    }

    @Test func descriptionIsFullyQualified() throws {
        #expect(try ImageReference(parsing: "alpine").description == "index.docker.io/library/alpine:latest")
        let pinned = "127.0.0.1:5000/a/b@sha256:\(ReferenceTests.hex)"
        #expect(try ImageReference(parsing: pinned).description == pinned)
        #expect(try ImageReference(parsing: pinned).identifier == "sha256:\(ReferenceTests.hex)")
        #expect(try ImageReference(parsing: "a/b:v1").identifier == "v1")
    }

    @Test func repositoryReferences() throws {
        let repository = try RepositoryReference(parsing: "127.0.0.1:5000/acme/app")
        #expect(repository.registry == "127.0.0.1:5000")
        #expect(repository.repository == "acme/app")
        #expect(repository.isLocal)
        #expect(repository.tagged("v1").description == "127.0.0.1:5000/acme/app:v1")
        #expect(try RepositoryReference(parsing: "busybox").description == "index.docker.io/library/busybox")
        #expect(throws: ImageError.self) { try RepositoryReference(parsing: "acme/app:v1") }
        #expect(throws: ImageError.self) { try RepositoryReference(parsing: "acme/app@sha256:\(ReferenceTests.hex)") }
    }

    static let local = [
        "localhost", "localhost:5000", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:5000", "127.1.2.3", "127.255.255.254:1",
        "::1", "[::1]", "[::1]:5000", "0:0:0:0:0:0:0:1", "[0000::1]:443",
    ]

    @Test(arguments: local)
    func loopbackHostsAreLocal(_ host: String) {
        #expect(isLocalhost(host))
    }

    static let notLocal = [
        "localhost.example.com", "localhost.example.com:5000", "localhostx", "xlocalhost", "my-localhost",
        "127.0.0.1.nip.io", "127.0.0.1.example.com:5000", "128.0.0.1", "10.0.0.1", "0.0.0.0", "127.0.0.256",
        "127.0.0", "0177.0.0.1", "::2", "[::1", "::1]", "[::1]x", "[::1]:port", "localhost:", "localhost:abc",
        "localhost:5000:1", "", "169.254.169.254", "::ffff:10.0.0.1", "localhost.", "[localhost]", "[127.0.0.1]:5000",
    ]

    @Test(arguments: notLocal)
    func lookAlikesAreNotLocal(_ host: String) {
        #expect(!isLocalhost(host))
    }
}
