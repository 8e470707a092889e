import Foundation
import KoLog
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Secrets never reach a log line, at any level, through a whole exchange.
struct CloudLoggingTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
    }

    @Test func aTracedAzureExchangeLogsNoSecret() throws {
        let scratch = try CloudScratch()
        let secret = "client-secret-" + UUID().uuidString
        let server = try CloudMockServer(config: ["azure": [
            "tenant": "tenant-id", "client_id": "client-id", "scope": "https://management.azure.com/.default",
            "access_token": "entra-access-token-value", "registry": "myregistry.azurecr.io", "client_secret": secret,
        ]])
        let lines = Lines()
        let logger = Logger(minimumLevel: .trace) { _, line in lines.append(line) }
        let provider = cloudTestProvider([
            "AZURE_TENANT_ID": "tenant-id", "AZURE_CLIENT_ID": "client-id", "AZURE_CLIENT_SECRET": secret,
            "AZURE_AUTHORITY_HOST": server.baseURL + "/azure",
            "KO_ACR_EXCHANGE_URL": server.baseURL + "/oauth2/exchange", "HOME": scratch.path,
        ], logger: logger)
        let credential = try #require(try provider.credential(forRegistry: "myregistry.azurecr.io"))
        let log = lines.all
        #expect(log.contains("/oauth2/exchange"), "the exchange was logged")
        #expect(!log.contains(secret))
        #expect(!log.contains("entra-access-token-value"))
        #expect(!log.contains(credential.secret))
    }

    @Test func aTracedECRExchangeLogsNoSecret() throws {
        let moto = try CloudMotoServer.shared()
        let scratch = try CloudScratch()
        let lines = Lines()
        let logger = Logger(minimumLevel: .trace) { _, line in lines.append(line) }
        let provider = cloudTestProvider([
            "AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
            "AWS_SESSION_TOKEN": "session-token-value", "AWS_ENDPOINT_URL_ECR": moto.endpoint, "HOME": scratch.path,
        ], logger: logger)
        _ = try? provider.credential(forRegistry: "123456789012.dkr.ecr.us-east-1.amazonaws.com")
        let log = lines.all
        #expect(log.contains("GetAuthorizationToken") || log.contains(moto.endpoint), "the exchange was logged")
        #expect(!log.contains(moto.secretAccessKey))
        #expect(!log.contains("session-token-value"))
        #expect(!log.contains("123456789012-auth-token"))
    }
}
