import Foundation
import KoCrypto
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Google credential files, the ADC search order and the service-account JWT.
struct GoogleCredentialFileTests {
    @Test func serviceAccountAssertionVerifiesWithThePublicKeyAndCarriesGooglesClaims() throws {
        let scratch = try CloudScratch()
        let key = try CloudTools.makeRSAKey(in: scratch, name: "sa")
        let issuedAt = Date(timeIntervalSince1970: 1_700_000_000)
        let assertion = try GoogleServiceAccountAssertion.make(
            clientEmail: "builder@project.iam.gserviceaccount.com", privateKeyPEM: key.privatePEM,
            privateKeyID: "kid-1", audience: "https://oauth2.googleapis.com/token", issuedAt: issuedAt)

        let parts = assertion.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let header = try json(parts[0])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == "kid-1")
        let claims = try json(parts[1])
        #expect(claims["iss"] as? String == "builder@project.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims["iat"] as? Int == 1_700_000_000)
        #expect(claims["exp"] as? Int == 1_700_003_600)

        #expect(try verify(signingInput: parts[0] + "." + parts[1], signature: parts[2], publicKey: key.publicPath,
                           scratch: scratch))
        // The same signature over other claims must not verify.
        #expect(try !verify(signingInput: parts[0] + "." + parts[0], signature: parts[2], publicKey: key.publicPath,
                            scratch: scratch))
    }

    @Test func aKeyThatIsNotPEMIsRefusedWithoutQuotingIt() {
        let error = #expect(throws: CryptoError.self) { try RSAPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nnot\n") }
        #expect(error?.description.contains("not\n") == false)
    }

    @Test(arguments: [
        (#"{"type":"service_account","client_email":"a@b","private_key":"k","token_uri":"http://t"}"#,
         GoogleCredentialFile.serviceAccount(clientEmail: "a@b", privateKey: "k", privateKeyID: nil,
                                             tokenURI: "http://t")),
        (#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}"#,
         .authorizedUser(clientID: "c", clientSecret: "s", refreshToken: "r",
                         tokenURI: "https://oauth2.googleapis.com/token")),
    ])
    func credentialFilesParse(text: String, expected: GoogleCredentialFile) throws {
        #expect(try GoogleCredentialFile.parse(text) == expected)
    }

    @Test func externalAccountFilesParseTheirSource() throws {
        let text = """
            {"type":"external_account",
             "audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
             "subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"http://127.0.0.1:1/v1/token",
             "service_account_impersonation_url":
                 "http://127.0.0.1:1/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken",
             "credential_source":{"file":"/var/run/token.json",
                                  "format":{"type":"json","subject_token_field_name":"id_token"}}}
            """
        guard case let .externalAccount(account) = try GoogleCredentialFile.parse(text) else {
            Issue.record("not an external account")
            return
        }
        #expect(account.source == .file(path: "/var/run/token.json", jsonField: "id_token"))
        #expect(GoogleExternalAccountExchange.serviceAccountEmail(account.impersonationURL ?? "")
            == "sa@p.iam.gserviceaccount.com")
    }

    @Test(arguments: [
        (#"{"type":"service_account","client_email":"a@b"}"#, "private_key"),
        (#"{"type":"external_account","audience":"a","subject_token_type":"t","#
            + #""credential_source":{"url":"http://x"}}"#,
         "neither a file nor an executable"),
        (#"{"type":"gdch_service_account"}"#, "gdch_service_account"),
        ("[1]", "not a JSON object"),
    ])
    func unusableFilesSayWhy(text: String, mentions: String) {
        let error = #expect(throws: GoogleCredentialFile.ParseError.self) { try GoogleCredentialFile.parse(text) }
        #expect(error?.description.contains(mentions) == true, "\(error?.description ?? "")")
    }

    @Test func applicationDefaultCredentialsAreSearchedInOrder() throws {
        let scratch = try CloudScratch()
        let user = #"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}"#
        let explicit = try scratch.write("explicit.json", user)
        try scratch.write("gcloud/application_default_credentials.json", user)
        let bin = try scratch.write("bin/gcloud", "#!/bin/sh\n", mode: 0o755)

        func find(_ variables: [String: String], productName: String? = nil) throws -> GoogleTokenSource? {
            var environment = CloudEnvironment(variables: variables)
            environment.gceProductNamePath = try productName.map { try scratch.write("product_name", $0) }
            return try GoogleTokenSource.find(in: environment, registry: "gcr.io")
        }
        let path = scratch.path + "/bin"
        guard case .file(_, let first, _) = try find(["GOOGLE_APPLICATION_CREDENTIALS": explicit,
                                                      "CLOUDSDK_CONFIG": scratch.path + "/gcloud"]) else {
            Issue.record("GOOGLE_APPLICATION_CREDENTIALS was not used")
            return
        }
        #expect(first == explicit)
        guard case .file(_, let second, _) = try find(["CLOUDSDK_CONFIG": scratch.path + "/gcloud"]) else {
            Issue.record("the well-known file was not used")
            return
        }
        #expect(second.hasSuffix("gcloud/application_default_credentials.json"))
        #expect(try find(["HOME": scratch.path, "GCE_METADATA_HOST": "127.0.0.1:1", "PATH": path])
            == .metadataServer(host: "127.0.0.1:1"))
        #expect(try find(["HOME": scratch.path, "GCE_METADATA_HOST": "127.0.0.1:1", "NO_GCE_CHECK": "True",
                          "PATH": path]) == .gcloud(executable: bin))
        #expect(try find(["HOME": scratch.path, "PATH": path], productName: "Google Compute Engine\n")
            == .metadataServer(host: "metadata.google.internal"))
        #expect(try find(["HOME": scratch.path, "PATH": path], productName: "Standard PC (Q35)\n")
            == .gcloud(executable: bin))
        #expect(try find(["HOME": scratch.path]) == nil)
    }

    @Test func aMissingExplicitCredentialFileIsAnError() {
        let error = #expect(throws: CloudCredentialError.self) {
            let environment = CloudEnvironment(variables: ["GOOGLE_APPLICATION_CREDENTIALS": "/nope.json"])
            return try GoogleTokenSource.find(in: environment, registry: "gcr.io")
        }
        #expect(error?.description.contains("/nope.json") == true)
    }

    // MARK: Helpers

    private func json(_ segment: String) throws -> [String: Any] {
        let bytes = try #require(Base64URL.decode(segment))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private func verify(signingInput: String, signature: String, publicKey: String,
                        scratch: CloudScratch) throws -> Bool {
        let data = try scratch.write("signed-\(UUID().uuidString)", signingInput)
        let signaturePath = scratch.path + "/sig-\(UUID().uuidString)"
        try Data(try #require(Base64URL.decode(signature))).write(to: URL(fileURLWithPath: signaturePath))
        let result = try CloudTools.run("openssl", ["dgst", "-sha256", "-verify", publicKey,
                                                    "-signature", signaturePath, data])
        return result.status == 0 && result.output.contains("Verified OK")
    }
}
