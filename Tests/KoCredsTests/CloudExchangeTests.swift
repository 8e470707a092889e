import Foundation
import Testing
@testable import KoCreds
@testable import KoKeyring

/// How provider error bodies become one-line reasons without secrets.
struct CloudExchangeTests {
    @Test(arguments: [
        (#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
         "invalid_grant: Invalid JWT Signature."),
        (#"{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}"#,
         "PERMISSION_DENIED: Permission denied"),
        (#"{"__type":"com.amazonaws#UnrecognizedClientException","message":"The security token is invalid."}"#,
         "UnrecognizedClientException: The security token is invalid."),
        (#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
         "UNAUTHORIZED: authentication required"),
        ("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature &amp; more"
            + "</Message></Error></ErrorResponse>", "SignatureDoesNotMatch: The request signature & more"),
        (#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret.\r\nTrace ID: 1"}"#,
         "invalid_client: AADSTS7000215: Invalid client secret. Trace ID: 1"),
        ("plain\ntext   answer", "plain text answer"),
    ])
    func providerReasonsAreOneLine(body: String, reason: String) {
        #expect(CloudExchange.providerReason(Array(body.utf8)) == reason)
    }

    @Test func longReasonsAreCut() {
        let reason = CloudExchange.providerReason(Array(String(repeating: "x", count: 1000).utf8))
        #expect(reason.count == 301)
    }

    @Test func secretsAreScrubbedFromReasons() {
        let text = CloudExchange.scrub("token abcd1234 is wrong, so is abcd1234", secrets: ["abcd1234", "ab"])
        #expect(text == "token <redacted> is wrong, so is <redacted>")
    }

    @Test func formBodiesEscapeEverythingButUnreservedCharacters() {
        let body = CloudExchange.formBody([("a b", "c&d=e/f+g~h")])
        #expect(String(decoding: body, as: UTF8.self) == "a%20b=c%26d%3De%2Ff%2Bg~h")
    }

    @Test func errorMessagesNameProviderRegistryEndpointAndStatus() {
        let error = CloudCredentialError.exchangeFailed(
            provider: "ECR", registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            endpoint: "https://api.ecr.us-east-1.amazonaws.com/", status: 403,
            reason: "SignatureDoesNotMatch: bad", hint: "check the key")
        #expect(error.description == "ECR token exchange for 123456789012.dkr.ecr.us-east-1.amazonaws.com at "
            + "https://api.ecr.us-east-1.amazonaws.com/ failed (HTTP 403): SignatureDoesNotMatch: bad; check the key")
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: [
        ("2024-05-01T12:00:00Z", 1_714_564_800.0),
        ("2024-05-01T12:00:00.250Z", 1_714_564_800.25),
        ("2024-05-01T12:00:00.123456789Z", 1_714_564_800.123),
        ("2024-05-01T14:00:00+02:00", 1_714_564_800.0),
    ])
    func timestampsParse(text: String, seconds: Double) throws {
        let date = try #require(CloudTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
    }
}
