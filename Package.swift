// swift-tools-version:6.0
import PackageDescription

// The layout is the design: `ko` composes KoImage (OCI images and registries)
// and KoCreds (credentials), both of which talk HTTP through KoHTTP. C libraries
// come from Debian's -dev packages through system-library targets.
let package = Package(
    name: "ko",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ko", targets: ["ko"]),
        .executable(name: "docker-credential-ko", targets: ["docker-credential-ko"]),
        .executable(name: "docker-credential-ko-cloud", targets: ["docker-credential-ko-cloud"]),
        .library(name: "KoImage", targets: ["KoImage"]),
        .library(name: "KoCreds", targets: ["KoCreds"]),
    ],
    targets: [
        // MARK: C libraries
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CSecret", pkgConfig: "libsecret-1", providers: [.apt(["libsecret-1-dev"])]),
        .systemLibrary(name: "CYaml", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // MARK: Libraries
        .target(name: "KoLog"),
        .target(name: "KoJSON"),
        .target(name: "KoProcess"),
        .target(name: "KoCrypto", dependencies: ["COpenSSL"]),
        .target(name: "KoHTTP", dependencies: ["CCurl", "KoLog"]),
        .target(name: "KoImage",
                dependencies: ["KoHTTP", "KoCrypto", "KoLog", "KoJSON", "KoProcess", "CZlib", "CDeflate"]),
        // The keyring and the credential-helper protocol, without Foundation,
        // curl or libcrypto: all that docker-credential-ko loads, since the
        // Docker CLI starts it for every registry operation.
        .target(name: "KoKeyring", dependencies: ["KoJSON", "KoProcess", "CSecret"]),
        .target(name: "KoCreds", dependencies: ["KoKeyring", "KoHTTP", "KoCrypto", "KoLog", "KoJSON", "KoProcess"]),
        .target(name: "KoBuild", dependencies: ["KoImage", "KoCreds", "KoLog", "KoJSON", "KoProcess", "CYaml"]),
        .target(name: "KoCommandLine"),

        // MARK: Executables
        .executableTarget(name: "ko",
                          dependencies: ["KoBuild", "KoImage", "KoCreds", "KoLog", "KoProcess", "KoCommandLine"]),
        // The Swift runtime linked in: its symbols then need no lookups at
        // load, a third of the helper's start-up otherwise.
        .executableTarget(name: "docker-credential-ko", dependencies: ["KoKeyring", "KoProcess", "KoCommandLine"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))]),
        // Cloud registry tokens (ECR, GCR/Artifact Registry, ACR, GHCR), which
        // docker-credential-ko hands cloud hosts to when the keyring has none.
        .executableTarget(name: "docker-credential-ko-cloud", dependencies: ["KoCreds", "KoCommandLine"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["KoLog"], path: "Tests/TestSupport",
                resources: [.copy("Resources")]),
        .testTarget(name: "KoJSONTests", dependencies: ["KoJSON", "TestSupport"]),
        .testTarget(name: "KoProcessTests", dependencies: ["KoProcess", "TestSupport"]),
        .testTarget(name: "KoImageTests", dependencies: ["KoImage", "KoJSON", "TestSupport"]),
        .testTarget(name: "KoCredsTests", dependencies: ["KoCreds", "KoKeyring", "KoJSON", "TestSupport"]),
        .testTarget(name: "KoBuildTests",
                    dependencies: ["KoBuild", "KoCommandLine", "KoJSON", "KoProcess", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
