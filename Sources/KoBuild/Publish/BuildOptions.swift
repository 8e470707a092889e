import KoImage

/// Everything `ko build` was told, gathered from flags and the environment.
public struct BuildOptions: Sendable {
    /// `KO_DOCKER_REPO`: where images are pushed; nil when unset.
    public var dockerRepo: String?
    /// How an import path becomes a repository name.
    public var naming: ImageNaming = .md5
    /// `-t/--tags`: every tag to push; `latest` by default.
    public var tags: [String] = ["latest"]
    /// `--push`: upload to the registry (default true).
    public var push = true
    /// `--oci-layout-path`: also write the image to this OCI layout.
    public var ociLayoutPath: String?
    /// `--insecure-registry`: plain HTTP and no TLS verification for every registry.
    public var insecureRegistry = false
    /// `--platform` values as given; resolved with `.ko.yaml`'s
    /// `defaultPlatforms` by `PlatformSelection` once the file is read.
    public var platformFlags: [String] = []
    /// `-j/--jobs`: how many builds run at once.
    public var jobs = 1
    /// `--ldflags`: replaces the linker flags `.ko.yaml` gives.
    public var ldflags: [String]?
    /// `--disable-optimizations`: build for debuggers (`-gcflags all=-N -l`).
    public var disableOptimizations = false
    /// Image settings from flags, laid over `.ko.yaml`'s per-build `image`.
    public var image = ImageSettings()
    /// `--tag-only`: print `<repo>:<tag>` without the digest.
    public var tagOnly = false
    /// `-L/--local`: load into the local Docker engine instead of pushing (`KO_DOCKER_REPO=ko.local`).
    public var local = false
    /// `--tarball`: also write the images to this file.
    public var tarballPath: String?
    /// `--sbom`: attach an SPDX SBOM to every image (ko's default) unless `none`.
    public var sbom = true
    /// `--sbom-dir`: also write each SBOM there.
    public var sbomDirectory: String?
    /// The version written into SBOMs as their creator.
    public var koVersion = "unknown"
    /// The directory ko runs in: targets and `.ko.yaml` are found from here.
    public var workingDirectory: String
    /// The user's environment, handed to `go` and read for KO_* settings.
    public var environment: [String: String]

    /// Where images go: a registry, the local Docker engine, or a kind cluster.
    public enum Destination: Sendable { case registry, dockerEngine, kind }

    /// `ko.local` and `kind.local` name the engine and kind, as in ko.
    public var destination: Destination {
        if local { return .dockerEngine }
        let repo = dockerRepo ?? ""
        if repo == "ko.local" || repo.hasPrefix("ko.local/") { return .dockerEngine }
        if repo == "kind.local" || repo.hasPrefix("kind.local/") { return .kind }
        return .registry
    }

    public init(workingDirectory: String, environment: [String: String]) {
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.dockerRepo = environment["KO_DOCKER_REPO"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
