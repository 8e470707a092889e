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
        .target(name: "KoCrypto", dependencies: ["COpenSSL"]),
        .target(name: "KoHTTP", dependencies: ["CCurl", "KoLog"]),
        .target(name: "KoImage", dependencies: ["KoHTTP", "KoCrypto", "KoLog", "CZlib", "CDeflate"]),
        .target(name: "KoCreds", dependencies: ["KoHTTP", "KoCrypto", "KoLog", "CSecret"]),
        .target(name: "KoBuild", dependencies: ["KoImage", "KoCreds", "KoLog", "CYaml"]),
        .target(name: "KoCommandLine"),

        // MARK: Executables
        .executableTarget(name: "ko", dependencies: ["KoBuild", "KoImage", "KoCreds", "KoLog", "KoCommandLine"]),
        // The helper's fast path loads nothing but the Swift runtime; the rest runs in `ko`.
        .executableTarget(name: "docker-credential-ko", dependencies: ["KoCommandLine"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["KoLog"], path: "Tests/TestSupport",
                resources: [.copy("Resources")]),
        .testTarget(name: "KoImageTests", dependencies: ["KoImage", "TestSupport"]),
        .testTarget(name: "KoCredsTests", dependencies: ["KoCreds", "TestSupport"]),
        .testTarget(name: "KoBuildTests", dependencies: ["KoBuild", "KoCommandLine", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
