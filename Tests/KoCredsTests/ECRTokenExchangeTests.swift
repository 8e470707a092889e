import Foundation
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// ECR GetAuthorizationToken against a real moto_server that checks SigV4
/// signatures, directly and through a counting proxy.
struct ECRTokenExchangeTests {
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

    func keys(_ moto: CloudMotoServer, secret: String? = nil) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": secret ?? moto.secretAccessKey]
    }

    @Test func motoMintsATokenForTheKey() throws {
        let moto = try CloudMotoServer.shared()
        let scratch = try CloudScratch()
        let provider = cloudTestProvider(keys(moto).merging([
            "AWS_ENDPOINT_URL_ECR": moto.endpoint, "HOME": scratch.path,
        ]) { $1 })
        let credential = try #require(try provider.credential(forRegistry: registry))
        #expect(credential.username == "AWS")
        #expect(credential.secret == "123456789012-auth-token")
    }

    @Test func aWrongSecretGetsA403AndAClearError() throws {
        let moto = try CloudMotoServer.shared()
        let scratch = try CloudScratch()
        let wrong = "wrong-secret-" + UUID().uuidString
        let provider = cloudTestProvider(keys(moto, secret: wrong).merging([
            "AWS_ENDPOINT_URL_ECR": moto.endpoint, "HOME": scratch.path,
        ]) { $1 })
        let error = try #require(#expect(throws: CloudCredentialError.self) {
            try provider.credential(forRegistry: registry)
        })
        guard case let .exchangeFailed(_, _, _, status, reason, _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(status == 403)
        #expect(reason.hasPrefix("SignatureDoesNotMatch"))
        let message = error.description
        #expect(message.contains(registry))
        #expect(message.contains("HTTP 403"))
        #expect(message.contains(moto.accessKeyID))
        #expect(!message.contains(wrong))
        #expect(!message.contains(moto.secretAccessKey))
        #expect(!message.contains("\n"))
    }

    @Test func tokensAreReusedUntilHalfTheirLifeAndNeverAcrossKeys() throws {
        let moto = try CloudMotoServer.shared()
        // The proxy counts requests, and gives moto's fixed 2015 expiry the
        // twelve hours real ECR tokens have.
        let proxy = try CloudMockServer(config: ["proxy": ["target": moto.endpoint]])
        let scratch = try CloudScratch()
        let variables = keys(moto).merging([
            "AWS_ENDPOINT_URL_ECR": proxy.baseURL, "HOME": scratch.path, "XDG_CACHE_HOME": scratch.path + "/cache",
        ]) { $1 }
        let start = Date()

        let first = cloudTestProvider(variables, now: start)
        let token = try #require(try first.credential(forRegistry: registry))
        #expect(proxy.requests().count == 1)
        #expect(try first.credential(forRegistry: registry)?.secret == token.secret)
        #expect(proxy.requests().count == 1, "a second get in the same process makes no request")

        // A new process (fresh memory cache) finds the token on disk.
        let later = cloudTestProvider(variables, now: start.addingTimeInterval(5 * 3600))
        #expect(try later.credential(forRegistry: registry)?.secret == token.secret)
        #expect(proxy.requests().count == 1, "the disk cache serves another process within the half-life")

        let cacheDirectory = scratch.path + "/cache/ko/cloud-tokens"
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheDirectory)
        #expect(files.count == 1)
        for file in files {
            let path = cacheDirectory + "/" + file
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o777 } == 0o600)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.contains(moto.secretAccessKey))
            #expect(!text.contains(moto.accessKeyID))
        }

        // Past half of the twelve hours, a new token is minted.
        let halfLifeLater = cloudTestProvider(variables, now: start.addingTimeInterval(6 * 3600 + 60))
        #expect(try halfLifeLater.credential(forRegistry: registry) != nil)
        #expect(proxy.requests().count == 2)

        // Another secret for the same key id never gets the cached token.
        let rotated = cloudTestProvider(keys(moto, secret: "rotated-" + UUID().uuidString)
            .merging(["AWS_ENDPOINT_URL_ECR": proxy.baseURL, "HOME": scratch.path,
                      "XDG_CACHE_HOME": scratch.path + "/cache"]) { $1 }, now: start)
        #expect(throws: CloudCredentialError.self) { try rotated.credential(forRegistry: registry) }
        #expect(proxy.requests().count == 3)
    }

    @Test func signedRequestsCarryTheDocumentedProtocol() throws {
        let moto = try CloudMotoServer.shared()
        let proxy = try CloudMockServer(config: ["proxy": ["target": moto.endpoint]])
        let scratch = try CloudScratch()
        let provider = cloudTestProvider(keys(moto).merging([
            "AWS_ENDPOINT_URL": proxy.baseURL, "HOME": scratch.path,
        ]) { $1 })
        _ = try provider.credential(forRegistry: "123456789012.dkr.ecr-fips.us-west-2.amazonaws.com")
        let request = try #require(proxy.requests().first)
        #expect(request.method == "POST")
        #expect(request.headers["x-amz-target"] == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")
        #expect(request.headers["content-type"] == "application/x-amz-json-1.1")
        #expect(request.headers["authorization"]?.contains("/us-west-2/ecr/aws4_request") == true)
        #expect(request.body == #"{"registryIds":["123456789012"]}"#)
    }

    @Test func aCredentialProcessProfileMintsAToken() throws {
        let moto = try CloudMotoServer.shared()
        let scratch = try CloudScratch()
        let keysFile = try scratch.writeJSON("keys.json", ["access_key_id": moto.accessKeyID,
                                                           "secret_access_key": moto.secretAccessKey])
        try scratch.write(".aws/config", "[profile tool]\ncredential_process = "
            + CloudTools.resource("cloud_credential_process.sh") + "\n")
        let provider = cloudTestProvider([
            "AWS_PROFILE": "tool", "HOME": scratch.path, "KO_TEST_AWS_KEYS_FILE": keysFile,
            "AWS_ENDPOINT_URL_ECR": moto.endpoint, "PATH": cloudTestPath,
        ])
        #expect(try provider.credential(forRegistry: registry)?.secret == "123456789012-auth-token")
    }

    /// STS and ECR are both loopback mocks here: moto's STS refuses the
    /// unsigned AssumeRoleWithWebIdentity that real STS accepts, and moto's
    /// ECR refuses session tokens it did not issue. The ECR mock checks the
    /// SigV4 signature with botocore and that the session token is signed.
    @Test func aWebIdentityIsTradedAtSTSFirst() throws {
        let scratch = try CloudScratch()
        let webToken = "eyJ.web-identity." + UUID().uuidString
        let tokenFile = try scratch.write("token", webToken + "\n")
        let role = "arn:aws:iam::123456789012:role/ko-builder"
        let temporary = ["access_key_id": "ASIATEMPORARY", "secret_access_key": "temporary-" + UUID().uuidString,
                         "session_token": "session-" + UUID().uuidString]
        let mock = try CloudMockServer(config: [
            "aws_sts": temporary.merging(["role_arn": role, "web_identity_token": webToken]) { $1 },
            "ecr": temporary.merging(["region": "eu-west-1", "account": "123456789012",
                                      "password": "federated-password"]) { $1 },
        ])
        let provider = cloudTestProvider([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role, "AWS_ROLE_SESSION_NAME": "ko-test",
            "AWS_ENDPOINT_URL_STS": mock.baseURL + "/aws-sts", "AWS_ENDPOINT_URL_ECR": mock.baseURL + "/ecr",
            "HOME": scratch.path,
        ])
        let credential = try provider.credential(forRegistry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        #expect(credential?.username == "AWS")
        #expect(credential?.secret == "federated-password")
        let call = try #require(mock.requests(to: "/aws-sts/").first)
        #expect(call.form["Action"] == "AssumeRoleWithWebIdentity")
        #expect(call.form["RoleArn"] == role)
        #expect(call.form["RoleSessionName"] == "ko-test")
        #expect(call.form["WebIdentityToken"] == webToken)
        #expect(call.headers["authorization"] == nil)
        #expect(mock.requests(to: "/ecr/").count == 1)
    }

    @Test func aRefusedWebIdentitySaysWhy() throws {
        let scratch = try CloudScratch()
        let tokenFile = try scratch.write("token", "not-the-token")
        let sts = try CloudMockServer(config: ["aws_sts": [
            "role_arn": "arn:aws:iam::123456789012:role/ko", "web_identity_token": "the-token",
            "access_key_id": "AKID", "secret_access_key": "s", "session_token": "t",
        ]])
        let provider = cloudTestProvider([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ko",
            "AWS_ENDPOINT_URL_STS": sts.baseURL + "/aws-sts", "AWS_ENDPOINT_URL_ECR": sts.baseURL + "/unused",
            "HOME": scratch.path,
        ])
        let error = #expect(throws: CloudCredentialError.self) { try provider.credential(forRegistry: registry) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("AWS STS token exchange for \(registry)"))
        #expect(message.contains("HTTP 400"))
        #expect(message.contains("InvalidIdentityToken"))
        #expect(!message.contains("not-the-token"))
    }

    @Test func ecrPublicIsSignedForUsEast1() throws {
        let scratch = try CloudScratch()
        let secret = "public-secret-" + UUID().uuidString
        let mock = try CloudMockServer(config: ["ecr_public": [
            "access_key_id": "AKIDPUBLIC", "secret_access_key": secret, "password": "public-password",
        ]])
        let variables = ["AWS_ACCESS_KEY_ID": "AKIDPUBLIC", "AWS_SECRET_ACCESS_KEY": secret,
                         "AWS_ENDPOINT_URL_ECR_PUBLIC": mock.baseURL + "/ecr-public", "HOME": scratch.path]
        let credential = try #require(try cloudTestProvider(variables).credential(forRegistry: "public.ecr.aws"))
        #expect(credential.username == "AWS")
        #expect(credential.secret == "public-password")
        let request = try #require(mock.requests(to: "/ecr-public/").first)
        #expect(request.headers["authorization"]?.contains("/us-east-1/ecr-public/aws4_request") == true)

        var wrong = variables
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-" + secret
        let error = #expect(throws: CloudCredentialError.self) {
            try cloudTestProvider(wrong).credential(forRegistry: "public.ecr.aws")
        }
        #expect(error?.description.contains("HTTP 403") == true)
        #expect(error?.description.contains("InvalidSignatureException") == true)
    }
}
