import Testing
@testable import KoBuild

struct ImageNamingTests {
    // The md5 is of the import path, as ko computes it; checked with python's hashlib.
    @Test(arguments: [
        (ImageNaming.md5, "127.0.0.1:5000/me/app-f9811d3937ed378c61564ae7f6bbd95d"),
        (ImageNaming.bare, "127.0.0.1:5000/me"),
        (ImageNaming.baseImportPath, "127.0.0.1:5000/me/app"),
        (ImageNaming.preserveImportPath, "127.0.0.1:5000/me/example.com/hello/cmd/app"),
    ])
    func namesFollowKo(naming: ImageNaming, expected: String) throws {
        #expect(try naming.repository(for: "example.com/hello/cmd/app", dockerRepo: "127.0.0.1:5000/me") == expected)
    }

    @Test func trailingSlashInRepoIsIgnored() throws {
        #expect(try ImageNaming.bare.repository(for: "x/y", dockerRepo: "reg.example/me/") == "reg.example/me")
    }

    @Test func uppercaseInTheImportPathIsLowercasedAsKoDoes() throws {
        #expect(try ImageNaming.baseImportPath.repository(for: "example.com/x/cmd/MyApp", dockerRepo: "reg.example/me")
                == "reg.example/me/myapp")
        #expect(try ImageNaming.preserveImportPath.repository(for: "example.com/X/cmd/A", dockerRepo: "r.example/me")
                == "r.example/me/example.com/x/cmd/a")
    }

    @Test func uppercaseInKoDockerRepoIsRefusedWithTheFix() {
        #expect {
            try ImageNaming.bare.repository(for: "example.com/x", dockerRepo: "reg.example/Team/app")
        } throws: { error in
            "\(error)".contains("KO_DOCKER_REPO 'reg.example/Team/app'") && "\(error)".contains("'team/app'")
        }
    }

    @Test func uppercaseRegistryHostIsAccepted() throws {
        #expect(try ImageNaming.bare.repository(for: "x", dockerRepo: "Registry.Example/me") == "Registry.Example/me")
    }
}
