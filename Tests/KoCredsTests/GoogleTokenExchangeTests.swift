import Foundation
import KoCrypto
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Google access tokens from loopback stand-ins of the OAuth2 token
/// endpoint, STS, IAM Credentials, the metadata server and gcloud.
struct GoogleTokenExchangeTests {
    static let email = "builder@project.iam.gserviceaccount.com"

    func googleConfig(publicKeyPath: String = "/nonexistent", subjectToken: String = "subject",
                      impersonationSource: String = "ya29.federated") -> [String: Any] {
        ["google": [
            "service_account": ["client_email": Self.email, "public_key_path": publicKeyPath,
                                "access_token": "ya29.service-account"],
            "authorized_user": ["client_id": "client.apps.googleusercontent.com", "client_secret": "user-secret",
                                "refresh_token": "1//refresh", "access_token": "ya29.user"],
            "sts": ["audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
                    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "subject_token": subjectToken,
                    "access_token": "ya29.federated"],
            "impersonation": ["email": Self.email, "source_token": impersonationSource,
                              "access_token": "ya29.impersonated"],
            "metadata": ["access_token": "ya29.metadata"],
        ]]
    }

    @Test func aServiceAccountKeyTradesAVerifiableAssertion() throws {
        let scratch = try CloudScratch()
        let key = try CloudTools.makeRSAKey(in: scratch, name: "sa")
        let mock = try CloudMockServer(config: googleConfig(publicKeyPath: key.publicPath))
        let file = try scratch.writeJSON("sa.json", [
            "type": "service_account", "client_email": Self.email, "private_key": key.privatePEM,
            "private_key_id": "kid-1", "token_uri": mock.baseURL + "/google/token",
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        let credential = try #require(try provider.credential(forRegistry: "us-docker.pkg.dev"))
        #expect(credential.username == "oauth2accesstoken")
        #expect(credential.secret == "ya29.service-account")

        // The assertion that was sent verifies against the key's public half.
        let request = try #require(mock.requests(to: "/google/token").first)
        #expect(request.form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let parts = try #require(request.form["assertion"]).split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let data = try scratch.write("input", parts[0] + "." + parts[1])
        let signature = scratch.path + "/signature"
        let signatureBytes = try #require(Base64URL.decode(parts[2]))
        try Data(signatureBytes).write(to: URL(fileURLWithPath: signature))
        let verified = try CloudTools.run("openssl", ["dgst", "-sha256", "-verify", key.publicPath,
                                                      "-signature", signature, data])
        #expect(verified.status == 0, "\(verified.output)")
        let claimBytes = try #require(Base64URL.decode(parts[1]))
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(claimBytes)) as? [String: Any])
        #expect(claims["iss"] as? String == Self.email)
        #expect(claims["aud"] as? String == mock.baseURL + "/google/token")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        let iat = try #require(claims["iat"] as? Int)
        #expect(claims["exp"] as? Int == iat + 3600)
        #expect(abs(Double(iat) - Date().timeIntervalSince1970) < 300)
    }

    @Test func anAssertionSignedWithAnotherKeyIsRefusedInOneLine() throws {
        let scratch = try CloudScratch()
        let known = try CloudTools.makeRSAKey(in: scratch, name: "known")
        let other = try CloudTools.makeRSAKey(in: scratch, name: "other")
        let mock = try CloudMockServer(config: googleConfig(publicKeyPath: known.publicPath))
        let file = try scratch.writeJSON("sa.json", [
            "type": "service_account", "client_email": Self.email, "private_key": other.privatePEM,
            "token_uri": mock.baseURL + "/google/token",
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        let error = try #require(#expect(throws: CloudCredentialError.self) {
            try provider.credential(forRegistry: "gcr.io")
        })
        #expect(error.description == "Google token exchange for gcr.io at \(mock.baseURL)/google/token failed "
            + "(HTTP 400): invalid_grant: Invalid JWT Signature.; "
            + "check the service account key \(Self.email) in \(file)")
        #expect(!error.description.contains("PRIVATE KEY"))
    }

    @Test func gcloudsWellKnownFileRefreshesAUserToken() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig())
        try scratch.writeJSON("gcloud/application_default_credentials.json", [
            "type": "authorized_user", "client_id": "client.apps.googleusercontent.com",
            "client_secret": "user-secret", "refresh_token": "1//refresh",
            "token_uri": mock.baseURL + "/google/token",
        ])
        let provider = cloudTestProvider(["CLOUDSDK_CONFIG": scratch.path + "/gcloud", "HOME": scratch.path])
        #expect(try provider.credential(forRegistry: "gcr.io")?.secret == "ya29.user")
        // Every Google registry shares the token: no second request.
        #expect(try provider.credential(forRegistry: "europe-west1-docker.pkg.dev")?.secret == "ya29.user")
        #expect(try provider.credential(forRegistry: "eu.gcr.io")?.secret == "ya29.user")
        #expect(mock.requests(to: "/google/token").count == 1)
        let form = try #require(mock.requests(to: "/google/token").first).form
        #expect(form["grant_type"] == "refresh_token")
        #expect(form["refresh_token"] == "1//refresh")
    }

    @Test func aRevokedRefreshTokenSaysSoWithoutQuotingIt() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig())
        let file = try scratch.writeJSON("adc.json", [
            "type": "authorized_user", "client_id": "client.apps.googleusercontent.com",
            "client_secret": "user-secret", "refresh_token": "1//revoked-refresh",
            "token_uri": mock.baseURL + "/google/token",
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        let error = #expect(throws: CloudCredentialError.self) { try provider.credential(forRegistry: "gcr.io") }
        let message = error?.description ?? ""
        #expect(message.contains("HTTP 400): invalid_grant"))
        #expect(message.contains("gcloud auth application-default login"))
        #expect(!message.contains("revoked-refresh"))
        #expect(!message.contains("user-secret"))
    }

    @Test func workloadIdentityFederationFromAFileImpersonatesTheServiceAccount() throws {
        let scratch = try CloudScratch()
        let subject = "eyJ.oidc." + UUID().uuidString
        let mock = try CloudMockServer(config: googleConfig(subjectToken: subject))
        let tokenFile = try scratch.write("oidc-token", subject + "\n")
        let file = try scratch.writeJSON("wif.json", [
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": mock.baseURL + "/google/sts/v1/token",
            "service_account_impersonation_url": mock.baseURL
                + "/google/iam/v1/projects/-/serviceAccounts/\(Self.email):generateAccessToken",
            "credential_source": ["file": tokenFile],
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        #expect(try provider.credential(forRegistry: "gcr.io")?.secret == "ya29.impersonated")
        let exchange = try #require(mock.requests(to: "/google/sts/").first).form
        #expect(exchange["subject_token"] == subject)
        #expect(exchange["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
        let impersonation = try #require(mock.requests(to: "/google/iam/").first)
        #expect(impersonation.headers["authorization"] == "Bearer ya29.federated")
    }

    @Test func aJSONSubjectTokenFileWithoutImpersonationGivesTheSTSToken() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig(subjectToken: "json-subject"))
        let tokenFile = try scratch.writeJSON("token.json", ["id_token": "json-subject", "other": "x"])
        let file = try scratch.writeJSON("wif.json", [
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": mock.baseURL + "/google/sts/v1/token",
            "credential_source": ["file": tokenFile,
                                  "format": ["type": "json", "subject_token_field_name": "id_token"]],
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        #expect(try provider.credential(forRegistry: "gcr.io")?.secret == "ya29.federated")
    }

    @Test func anExecutableSourceRunsOnlyWhenAllowedAndGetsTheDocumentedEnvironment() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig(subjectToken: "from-executable"))
        let subjectFile = try scratch.write("subject", "from-executable")
        let environmentFile = scratch.path + "/executable-env"
        let file = try scratch.writeJSON("wif.json", [
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": mock.baseURL + "/google/sts/v1/token",
            "service_account_impersonation_url": mock.baseURL
                + "/google/iam/v1/projects/-/serviceAccounts/\(Self.email):generateAccessToken",
            "credential_source": ["executable": ["command": CloudTools.resource("cloud_subject_token_executable.sh"),
                                                 "timeout_millis": 10_000]],
        ])
        var variables = ["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path, "PATH": cloudTestPath,
                         "KO_TEST_SUBJECT_TOKEN_FILE": subjectFile, "KO_TEST_EXECUTABLE_ENV_FILE": environmentFile]
        let refused = #expect(throws: CloudCredentialError.self) {
            try cloudTestProvider(variables).credential(forRegistry: "gcr.io")
        }
        #expect(refused?.description.contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1") == true)

        variables["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"] = "1"
        #expect(try cloudTestProvider(variables).credential(forRegistry: "gcr.io")?.secret == "ya29.impersonated")
        let seen = try String(contentsOfFile: environmentFile, encoding: .utf8)
        #expect(seen.contains("AUDIENCE=//iam.googleapis.com/projects/1/"))
        #expect(seen.contains("TOKEN_TYPE=urn:ietf:params:oauth:token-type:jwt"))
        #expect(seen.contains("INTERACTIVE=0"))
        #expect(seen.contains("IMPERSONATED_EMAIL=\(Self.email)"))
    }

    @Test func theMetadataServerIsAskedWhenGCEMetadataHostNamesIt() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig())
        let provider = cloudTestProvider(["GCE_METADATA_HOST": "127.0.0.1:\(mock.port)", "HOME": scratch.path])
        #expect(try provider.credential(forRegistry: "gcr.io")?.secret == "ya29.metadata")
        let request = try #require(mock.requests(to: "/computeMetadata/").first)
        #expect(request.headers["metadata-flavor"] == "Google")
    }

    @Test func gcloudIsTheLastResortAndItsTokenIsCachedOnDisk() throws {
        let scratch = try CloudScratch()
        let config = scratch.path + "/gcloud"
        try scratch.write("gcloud/mock_access_token", "ya29.gcloud")
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/bin/gcloud",
                                                   withDestinationPath: CloudTools.resource("cloud_gcloud.sh"))
        let variables = ["HOME": scratch.path, "CLOUDSDK_CONFIG": config,
                         "PATH": scratch.path + "/bin:" + cloudTestPath]
        #expect(try cloudTestProvider(variables).credential(forRegistry: "gcr.io")
            .map { "\($0.username):\($0.secret)" } == "oauth2accesstoken:ya29.gcloud")
        // Another process within the half-life takes it from disk.
        #expect(try cloudTestProvider(variables).credential(forRegistry: "us.gcr.io")?.secret == "ya29.gcloud")
        #expect(try scratch.read("gcloud/mock_runs") == "run\n")
    }

    @Test func gcloudWithoutAnAccountLeavesTheRegistryAnonymous() throws {
        let scratch = try CloudScratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/gcloud/bin",
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/gcloud/bin/gcloud",
                                                   withDestinationPath: CloudTools.resource("cloud_gcloud.sh"))
        let variables = ["HOME": scratch.path, "CLOUDSDK_CONFIG": scratch.path + "/gcloud",
                         "PATH": scratch.path + "/gcloud/bin:" + cloudTestPath]
        #expect(try cloudTestProvider(variables).credential(forRegistry: "gcr.io") == nil)
        #expect(try scratch.read("gcloud/mock_runs") == "run\n", "gcloud was asked")
    }

    @Test func anImpersonatedServiceAccountFileUsesItsSourceCredentialsFirst() throws {
        let scratch = try CloudScratch()
        let mock = try CloudMockServer(config: googleConfig(impersonationSource: "ya29.user"))
        let file = try scratch.writeJSON("impersonated.json", [
            "type": "impersonated_service_account",
            "service_account_impersonation_url": mock.baseURL
                + "/google/iam/v1/projects/-/serviceAccounts/\(Self.email):generateAccessToken",
            "source_credentials": [
                "type": "authorized_user", "client_id": "client.apps.googleusercontent.com",
                "client_secret": "user-secret", "refresh_token": "1//refresh",
                "token_uri": mock.baseURL + "/google/token",
            ],
            "delegates": [],
        ])
        let provider = cloudTestProvider(["GOOGLE_APPLICATION_CREDENTIALS": file, "HOME": scratch.path])
        #expect(try provider.credential(forRegistry: "gcr.io")?.secret == "ya29.impersonated")
        let impersonation = try #require(mock.requests(to: "/google/iam/").first)
        #expect(impersonation.headers["authorization"] == "Bearer ya29.user")
        #expect(impersonation.body.contains("\"lifetime\":\"3600s\""))
    }
}
