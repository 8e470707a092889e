import Testing
@testable import KoCreds
@testable import KoKeyring

struct ServerAddressTests {
    @Test(arguments: [
        ("https://index.docker.io/v1/", "https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("docker.io", "https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("registry-1.docker.io", "https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("Index.Docker.IO", "https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("docker.io/library/alpine", "https://index.docker.io/v1/", "docker.io/library/alpine"),
        ("127.0.0.1:5000", "127.0.0.1:5000", "127.0.0.1:5000"),
        ("HTTP://Reg.Example:5000/v2/", "reg.example:5000", "reg.example:5000"),
        ("https://ghcr.io", "ghcr.io", "ghcr.io"),
        ("ghcr.io/Team/App/", "ghcr.io", "ghcr.io/Team/App"),
        ("  quay.io \n", "quay.io", "quay.io"),
        ("[::1]:5000", "[::1]:5000", "[::1]:5000"),
    ])
    func normalizesLikeTheDockerCLI(input: String, registryKey: String, canonical: String) {
        let address = ServerAddress(input)
        #expect(address.registryKey == registryKey)
        #expect(address.canonical == canonical)
    }

    @Test func ancestryWalksUpToTheRegistryAndNeverSideways() {
        #expect(ServerAddress("https://r.example/a/b/c").canonicalAncestry
            == ["r.example/a/b/c", "r.example/a/b", "r.example/a", "r.example"])
        #expect(ServerAddress("r.example").canonicalAncestry == ["r.example"])
        #expect(ServerAddress("docker.io/team/app").canonicalAncestry
            == ["docker.io/team/app", "docker.io/team", "https://index.docker.io/v1/"])
    }
}
