import Foundation
import KoHTTP
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Where AWS credentials are found, without contacting anything.
struct ECRCredentialChainTests {
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

    func source(_ variables: [String: String]) throws -> AWSCredentialSource? {
        try AWSCredentialSource.find(in: CloudEnvironment(variables: variables), registry: registry)
    }

    @Test func environmentKeysComeFirst() throws {
        let scratch = try CloudScratch()
        try scratch.write(".aws/credentials", "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = x\n")
        let found = try source(["HOME": scratch.path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s",
                                "AWS_SESSION_TOKEN": "t", "AWS_PROFILE": "other"])
        #expect(found == .keys(AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "s", sessionToken: "t"),
                               label: "AWS_ACCESS_KEY_ID"))
    }

    @Test func anAccessKeyWithoutItsSecretIsAnError() throws {
        #expect(throws: CloudCredentialError.self) { try source(["AWS_ACCESS_KEY_ID": "AKIDENV"]) }
    }

    @Test func namedProfilesComeFromTheSharedFiles() throws {
        let scratch = try CloudScratch()
        try scratch.write(".aws/credentials", """
            # comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [build]
            aws_access_key_id=AKIDBUILD
            aws_secret_access_key = build-secret ; trailing comment
            aws_session_token = build-token
            """)
        try scratch.write(".aws/config", """
            [profile tool]
            region = eu-west-1
            credential_process = /usr/local/bin/get-keys --profile tool
            s3 =
              max_concurrent_requests = 10

            [profile irsa]
            role_arn = arn:aws:iam::123456789012:role/ko
            web_identity_token_file = /var/run/token
            role_session_name = ko-build

            [profile sso]
            sso_session = corp

            [sso-session corp]
            sso_start_url = https://example.awsapps.com/start
            """)
        let base = ["HOME": scratch.path]
        #expect(try source(base.merging(["AWS_PROFILE": "build"]) { $1 })
            == .keys(AWSCredentials(accessKeyID: "AKIDBUILD", secretAccessKey: "build-secret",
                                    sessionToken: "build-token"), label: "profile 'build'"))
        #expect(try source(base.merging(["AWS_PROFILE": "tool"]) { $1 })
            == .process(command: "/usr/local/bin/get-keys --profile tool", label: "profile 'tool'"))
        #expect(try source(base.merging(["AWS_PROFILE": "irsa"]) { $1 })
            == .webIdentity(roleARN: "arn:aws:iam::123456789012:role/ko", tokenFile: "/var/run/token",
                            sessionName: "ko-build", label: "profile 'irsa'"))
        #expect(try source(base)
            == .keys(AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"),
                     label: "profile 'default'"))

        let sso = #expect(throws: CloudCredentialError.self) {
            try source(base.merging(["AWS_PROFILE": "sso"]) { $1 })
        }
        #expect(sso?.description.contains("SSO") == true)
        let missing = #expect(throws: CloudCredentialError.self) {
            try source(base.merging(["AWS_PROFILE": "nope"]) { $1 })
        }
        #expect(missing?.description.contains("'nope'") == true)
    }

    @Test func sharedFileLocationsFollowTheirVariables() throws {
        let scratch = try CloudScratch()
        let credentials = try scratch.write("elsewhere/creds",
                                            "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci\n")
        let config = try scratch.write("elsewhere/conf", "[default]\ncredential_process = echo\n")
        #expect(try source(["HOME": scratch.path, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ci"])
            == .keys(AWSCredentials(accessKeyID: "AKIDCI", secretAccessKey: "ci"), label: "profile 'ci'"))
        #expect(try source(["HOME": scratch.path, "AWS_CONFIG_FILE": config])
            == .process(command: "echo", label: "profile 'default'"))
    }

    @Test func webIdentityFromTheEnvironment() throws {
        let found = try source(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token",
                                "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ko",
                                "AWS_ROLE_SESSION_NAME": "ci", "HOME": "/nonexistent"])
        #expect(found == .webIdentity(roleARN: "arn:aws:iam::123456789012:role/ko", tokenFile: "/var/run/token",
                                      sessionName: "ci", label: "AWS_WEB_IDENTITY_TOKEN_FILE"))
    }

    @Test func nothingConfiguredIsNoSource() throws {
        #expect(try source(["HOME": "/nonexistent"]) == nil)
        #expect(try source([:]) == nil)
    }

    @Test func endpointOverridesFollowTheSDKOrder() {
        func url(_ variables: [String: String]) -> String {
            AWSEndpoints.url(service: "ECR", environment: CloudEnvironment(variables: variables),
                             fallback: "https://api.ecr.us-east-1.amazonaws.com")
        }
        #expect(url([:]) == "https://api.ecr.us-east-1.amazonaws.com")
        #expect(url(["AWS_ENDPOINT_URL": "http://127.0.0.1:1/"]) == "http://127.0.0.1:1")
        #expect(url(["AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:2"])
            == "http://127.0.0.1:2")
        #expect(url(["AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:2", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
            == "https://api.ecr.us-east-1.amazonaws.com")
    }

    @Test func credentialProcessOutputBecomesKeys() throws {
        let scratch = try CloudScratch()
        let keys = try scratch.writeJSON("keys.json",
                                         ["access_key_id": "AKIDPROC", "secret_access_key": "proc-secret"])
        let environment = CloudEnvironment(variables: ["KO_TEST_AWS_KEYS_FILE": keys,
                                                       "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        let resolver = AWSCredentialResolver(environment: environment, http: HTTPClient(), logger: .silent,
                                             registry: registry, region: "us-east-1",
                                             defaultSTSEndpoint: "http://127.0.0.1:9")
        let command = CloudTools.resource("cloud_credential_process.sh")
        let credentials = try resolver.credentials(from: .process(command: command, label: "profile 'p'"))
        #expect(credentials.accessKeyID == "AKIDPROC")
        #expect(credentials.secretAccessKey == "proc-secret")
    }

    @Test func aFailingCredentialProcessSaysWhy() throws {
        let environment = CloudEnvironment(variables: ["KO_TEST_CREDENTIAL_PROCESS_FAIL": "1"])
        let resolver = AWSCredentialResolver(environment: environment, http: HTTPClient(), logger: .silent,
                                             registry: registry, region: "us-east-1",
                                             defaultSTSEndpoint: "http://127.0.0.1:9")
        let command = CloudTools.resource("cloud_credential_process.sh")
        let error = #expect(throws: CloudCredentialError.self) {
            try resolver.credentials(from: .process(command: command, label: "profile 'p'"))
        }
        let message = error?.description ?? ""
        #expect(message.contains("exit status 3"))
        #expect(message.contains("refusing on purpose"))
        #expect(message.contains("profile 'p'"))
    }
}
