/// The prose of ko's manual pages that the command declarations do not
/// carry. A command missing here still gets a page, made from its
/// declaration alone; add an entry when it reads environment or files.
public enum KoManual {
    /// The manual text of the command called `name`.
    public static func manual(for name: String) -> CommandManual {
        commands[name] ?? CommandManual()
    }

    /// The DESCRIPTION of `ko(1)`.
    public static let overviewDetails = [
        "ko builds Go programs into OCI container images and pushes them to registries, without Docker. "
            + "An image is a base image plus two layers: the package's kodata directory, under /var/run/ko, "
            + "and the binary, at /ko-app/<name>, which is the entrypoint. The same input always gives the "
            + "same digest.",
        "Standard output carries only results, such as image references, so it can be piped. Everything "
            + "else goes to standard error: on a terminal a live line per layer being compressed or uploaded, "
            + "with bytes and rate; anywhere else one plain line per finished step.",
        "Registry credentials come from the Docker configuration, as the Docker CLI finds them (credHelpers, "
            + "then credsStore, then auths), and else from the cloud identity of the environment for Amazon ECR, "
            + "Google Artifact Registry, Azure Container Registry and the GitHub Container Registry.",
    ]

    /// The ENVIRONMENT of `ko(1)`.
    public static let overviewEnvironment: [(name: String, meaning: String)] = [
        ("KO_DOCKER_REPO", "The repository images are pushed to, such as registry.example.com/team."),
        ("KO_DEFAULTBASEIMAGE", "The base image when .ko.yaml names none (default cgr.dev/chainguard/static:latest)."),
        ("KO_CONFIG_PATH", "The .ko.yaml file, or a directory holding it (default: the working directory)."),
        ("KO_DEFAULTPLATFORMS", "Platforms to build when --platform is not given, separated by commas."),
        ("DOCKER_CONFIG", "The directory holding config.json (default ~/.docker)."),
        ("NO_COLOR", "When set and not empty, progress lines on a terminal are not colored."),
        ("SSL_CERT_FILE, SSL_CERT_DIR", "Extra certificates to trust for registries and token servers."),
        ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_ROLE_ARN, "
            + "AWS_WEB_IDENTITY_TOKEN_FILE",
         "The AWS identity used for Amazon ECR registries (*.dkr.ecr.*.amazonaws.com)."),
        ("GOOGLE_APPLICATION_CREDENTIALS",
         "The Google credentials file used for *-docker.pkg.dev and gcr.io registries."),
        ("AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE",
         "The Azure identity used for *.azurecr.io registries."),
        ("GITHUB_TOKEN, GITHUB_ACTOR", "The token, and its user, used for ghcr.io."),
    ]

    /// The FILES of `ko(1)`.
    public static let overviewFiles: [(path: String, meaning: String)] = [
        ("~/.docker/config.json", "Registry credentials and credential helpers, as the Docker CLI keeps them."),
        (".ko.yaml", "Base images and platforms for the builds of a module; see ko.yaml(5)."),
    ]

    /// What `ko(1)` and every command page point to.
    public static let overviewSeeAlso = ["docker-credential-ko(1)", "ko.yaml(5)"]

    /// What every command that builds images reads.
    private static let buildEnvironment: [(name: String, meaning: String)] = [
        ("KO_DOCKER_REPO", "Where to push, such as registry.example.com/team. Required unless --push=false."),
        ("KO_DEFAULTBASEIMAGE", "The base image when .ko.yaml names none."),
        ("KO_CONFIG_PATH", "The .ko.yaml file, or a directory holding it."),
        ("KO_DATA_DATE_EPOCH", "The modification time, in seconds since 1970, of the files in the kodata "
            + "layer (default 0)."),
        ("SOURCE_DATE_EPOCH", "The image's creation time, in seconds since 1970 (default: none)."),
        ("KO_DEFAULTPLATFORMS", "Platforms to build when --platform is not given, separated by commas; "
            + "it wins over defaultPlatforms in .ko.yaml."),
        ("GOOS, GOARCH", "The platform to build when nothing above names one (default linux/amd64)."),
        ("GOFLAGS, CGO_ENABLED", "Passed to go build; they win over ko's defaults."),
    ]

    private static let kubectlEnvironment: [(name: String, meaning: String)] = [
        ("KUBECONFIG", "The cluster configuration kubectl uses; ko passes its environment on to kubectl."),
    ]

    private static let buildFiles: [(path: String, meaning: String)] = [
        (".ko.yaml", "Base images, platforms and build settings per import path; see ko.yaml(5)."),
    ]

    private static let resolveDetails = [
        "A ko:// reference is a YAML string ko://<import path>, such as image: ko://example.com/app/cmd/web. "
            + "Each is replaced by the reference of the image built from that package, with its digest, so a "
            + "deployment always runs exactly what was built.",
    ]

    private static let commands: [String: CommandManual] = [
        "build": CommandManual(
            details: [
                "Each image is named inside $KO_DOCKER_REPO after its import path: by default "
                    + "<last element>-<md5 of the import path>; --base-import-paths (-B) drops the hash, "
                    + "--preserve-import-paths (-P) keeps the whole import path and --bare uses $KO_DOCKER_REPO "
                    + "itself. The reference printed ends in @sha256:<digest>.",
                "The base image comes from .ko.yaml (see ko.yaml(5)), else $KO_DEFAULTBASEIMAGE, else "
                    + "cgr.dev/chainguard/static:latest. A base that is an index gives an index of one image per "
                    + "platform wanted, or a plain image when one platform is wanted. The layers of a base image "
                    + "on the same registry are mounted rather than copied, and a layer the registry has is never "
                    + "uploaded again.",
                "Registries on a loopback address (localhost, 127.0.0.1, [::1]) are reached over plain HTTP; "
                    + "any other needs --insecure-registry for that.",
            ],
            environment: buildEnvironment, files: buildFiles,
            seeAlso: ["ko-resolve(1)", "ko-login(1)", "ko.yaml(5)"]),
        "resolve": CommandManual(details: resolveDetails, environment: buildEnvironment, files: buildFiles,
                                 seeAlso: ["ko-build(1)", "ko-apply(1)", "ko.yaml(5)"]),
        "apply": CommandManual(details: resolveDetails, environment: buildEnvironment + kubectlEnvironment,
                               files: buildFiles, seeAlso: ["ko-resolve(1)", "kubectl(1)"]),
        "create": CommandManual(details: resolveDetails, environment: buildEnvironment + kubectlEnvironment,
                                files: buildFiles, seeAlso: ["ko-resolve(1)", "kubectl(1)"]),
        "delete": CommandManual(environment: kubectlEnvironment, seeAlso: ["ko-apply(1)", "kubectl(1)"]),
        "run": CommandManual(environment: buildEnvironment + kubectlEnvironment, files: buildFiles,
                             seeAlso: ["ko-build(1)", "kubectl(1)"]),
        "login": CommandManual(
            pageSummary: "Log in to a registry, and out of it.",
            environment: [("DOCKER_CONFIG", "The directory holding config.json (default ~/.docker).")],
            files: [("~/.docker/config.json", "Where the credentials, or the name of the helper keeping them, "
                        + "are written.")],
            seeAlso: ["ko-build(1)", "docker-credential-ko(1)"]),
        "logout": CommandManual(page: "ko-login"),
    ]
}
