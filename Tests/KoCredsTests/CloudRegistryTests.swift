import Foundation
import KoHTTP
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Which hosts get cloud tokens: anchored patterns, look-alikes get nothing.
struct CloudRegistryTests {
    @Test(arguments: [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "https://api.ecr.us-east-1.amazonaws.com"),
        ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "https://ecr-fips.us-gov-west-1.amazonaws.com"),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "https://api.ecr.cn-north-1.amazonaws.com.cn"),
        ("123456789012.dkr-ecr.eu-west-1.on.aws", "https://ecr.eu-west-1.api.aws"),
        ("123456789012.dkr-ecr-fips.us-east-2.on.aws", "https://ecr-fips.us-east-2.api.aws"),
        ("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "https://api.ecr.us-iso-east-1.c2s.ic.gov"),
        ("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "https://api.ecr.eusc-de-east-1.amazonaws.eu"),
        ("https://123456789012.dkr.ecr.us-west-2.amazonaws.com/v2/", "https://api.ecr.us-west-2.amazonaws.com"),
        ("123456789012.DKR.ECR.us-west-2.amazonaws.com:443", "https://api.ecr.us-west-2.amazonaws.com"),
    ])
    func ecrHostsAndTheirAPIEndpoints(host: String, endpoint: String) throws {
        guard case let .ecr(registry) = CloudRegistry.classify(host) else {
            Issue.record("\(host) is not recognized as ECR")
            return
        }
        #expect(registry.accountID == "123456789012")
        #expect(registry.defaultAPIEndpoint == endpoint)
    }

    @Test func ecrHostsNameTheirRegionAndFIPS() throws {
        guard case let .ecr(registry) = CloudRegistry.classify("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")
        else { Issue.record("not ECR"); return }
        #expect(registry.region == "us-gov-west-1")
        #expect(registry.isFIPS)
        #expect(registry.defaultSTSEndpoint == "https://sts.us-gov-west-1.amazonaws.com")
    }

    @Test(arguments: [
        ("public.ecr.aws", CloudRegistry.ecrPublic),
        ("gcr.io", .google), ("us.gcr.io", .google), ("eu.gcr.io", .google), ("asia.gcr.io", .google),
        ("us-docker.pkg.dev", .google), ("europe-west1-docker.pkg.dev", .google),
        ("ghcr.io", .github), ("https://ghcr.io", .github),
    ])
    func knownCloudHosts(host: String, expected: CloudRegistry) {
        #expect(CloudRegistry.classify(host) == expected)
    }

    @Test(arguments: [
        ("myregistry.azurecr.io", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
        ("myregistry.azurecr.cn", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
        ("myregistry.azurecr.us", "https://login.microsoftonline.us",
         "https://management.usgovcloudapi.net/.default"),
    ])
    func azureHostsPickTheirCloud(host: String, authority: String, scope: String) {
        guard case let .azure(registry) = CloudRegistry.classify(host) else {
            Issue.record("\(host) is not recognized as ACR")
            return
        }
        #expect(registry.host == host)
        #expect(registry.cloud.authorityHost == authority)
        #expect(registry.cloud.managementScope == scope)
    }

    static let lookAlikes = [
        "x.azurecr.io.example.net", "gcr.io.evil.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.com",
        "evil.com/123456789012.dkr.ecr.us-east-1.amazonaws.com", "evilgcr.io", "gcr.io.", "a.b.gcr.io",
        "ghcr.io.evil.com", "notghcr.io", "public.ecr.aws.evil.com", "evilpublic.ecr.aws", "azurecr.io",
        "a.b.azurecr.io", "azurecr.io.evil.com", "pkg.dev", "evil.pkg.dev.example.com",
        "12345678901.dkr.ecr.us-east-1.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.co",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn.evil.com", "x123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "gcr.io:5000", "ghcr.io:8443", "user@gcr.io", "127.0.0.1:5000", "localhost", "docker.io", "",
    ]

    @Test(arguments: lookAlikes)
    func lookAlikeHostsAreNoCloudRegistry(host: String) {
        #expect(CloudRegistry.classify(host) == nil)
        #expect(!CloudCredentialProvider.isCloudRegistry(host))
    }

    /// Every cloud identity is in the environment; a look-alike host still
    /// gets nothing, and nothing is contacted (the client points nowhere).
    @Test(arguments: lookAlikes)
    func lookAlikeHostsGetNoCredentialWhateverTheEnvironment(host: String) throws {
        var environment = CloudEnvironment(variables: [
            "GITHUB_TOKEN": "ghp_secret", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
            "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s",
            "GCE_METADATA_HOST": "127.0.0.1:9", "HOME": "/nonexistent",
        ])
        environment.gceProductNamePath = nil
        let provider = CloudCredentialProvider(environment: environment, http: HTTPClient(), logger: .silent,
                                               memoryCache: CloudTokenCache(), usesDiskCache: false)
        #expect(try provider.credential(forRegistry: host) == nil)
    }

    @Test func gitHubTokenIsUsedWithTheActorOrAFixedName() throws {
        func credential(_ variables: [String: String]) throws -> Credential? {
            var environment = CloudEnvironment(variables: variables)
            environment.gceProductNamePath = nil
            return try CloudCredentialProvider(environment: environment, http: HTTPClient(), logger: .silent,
                                               memoryCache: CloudTokenCache(), usesDiskCache: false)
                .credential(forRegistry: "ghcr.io")
        }
        let withActor = try #require(try credential(["GITHUB_TOKEN": "ghp_abc", "GITHUB_ACTOR": "octocat"]))
        #expect(withActor.username == "octocat")
        #expect(withActor.secret == "ghp_abc")
        let withoutActor = try #require(try credential(["GITHUB_TOKEN": "ghp_abc"]))
        #expect(withoutActor.username == GitHubToken.fallbackUsername)
        #expect(!withoutActor.username.isEmpty)
        #expect(try credential(["GITHUB_ACTOR": "octocat"]) == nil)
    }

    @Test func cloudHostsWithoutAnIdentityInTheEnvironmentGetNil() throws {
        var environment = CloudEnvironment(variables: ["HOME": "/nonexistent", "PATH": "/nonexistent"])
        environment.gceProductNamePath = nil
        let provider = CloudCredentialProvider(environment: environment, http: HTTPClient(), logger: .silent,
                                               memoryCache: CloudTokenCache(), usesDiskCache: false)
        for host in ["123456789012.dkr.ecr.us-east-1.amazonaws.com", "public.ecr.aws", "gcr.io",
                     "us-docker.pkg.dev", "myregistry.azurecr.io", "ghcr.io"] {
            #expect(try provider.credential(forRegistry: host) == nil, "\(host)")
        }
    }
}
