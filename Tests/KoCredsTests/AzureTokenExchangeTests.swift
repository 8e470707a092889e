import Foundation
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// ACR refresh tokens from a loopback Entra ID token endpoint and ACR
/// exchange (aimed there with AZURE_AUTHORITY_HOST and KO_ACR_EXCHANGE_URL).
struct AzureTokenExchangeTests {
    let registry = "myregistry.azurecr.io"

    func mock(secret: String? = "client-secret", assertion: String? = nil) throws -> CloudMockServer {
        var azure: [String: Any] = [
            "tenant": "tenant-id", "client_id": "client-id", "scope": "https://management.azure.com/.default",
            "access_token": "entra-access-token", "registry": registry,
        ]
        azure["client_secret"] = secret
        azure["client_assertion"] = assertion
        return try CloudMockServer(config: ["azure": azure])
    }

    func variables(_ mock: CloudMockServer, _ scratch: CloudScratch) -> [String: String] {
        ["AZURE_TENANT_ID": "tenant-id", "AZURE_CLIENT_ID": "client-id", "HOME": scratch.path,
         "AZURE_AUTHORITY_HOST": mock.baseURL + "/azure", "KO_ACR_EXCHANGE_URL": mock.baseURL + "/oauth2/exchange"]
    }

    @Test func aClientSecretIsTradedForAnACRRefreshToken() throws {
        let scratch = try CloudScratch()
        let server = try mock()
        var environment = variables(server, scratch)
        environment["AZURE_CLIENT_SECRET"] = "client-secret"
        let credential = try #require(try cloudTestProvider(environment).credential(forRegistry: registry))
        #expect(credential.username == "00000000-0000-0000-0000-000000000000")
        let expiry = try #require(ACRTokenExchange.jwtExpiry(credential.secret))
        #expect(expiry > Date().addingTimeInterval(2 * 3600))

        let token = try #require(server.requests(to: "/azure/tenant-id/oauth2/v2.0/token").first).form
        #expect(token["grant_type"] == "client_credentials")
        #expect(token["scope"] == "https://management.azure.com/.default")
        let exchange = try #require(server.requests(to: "/oauth2/exchange").first).form
        #expect(exchange["grant_type"] == "access_token")
        #expect(exchange["service"] == registry)
        #expect(exchange["tenant"] == "tenant-id")
        #expect(exchange["access_token"] == "entra-access-token")
    }

    @Test func aFederatedTokenFileIsSentAsTheClientAssertion() throws {
        let scratch = try CloudScratch()
        let assertion = "eyJ.federated." + UUID().uuidString
        let server = try mock(secret: nil, assertion: assertion)
        var environment = variables(server, scratch)
        environment["AZURE_FEDERATED_TOKEN_FILE"] = try scratch.write("azure-identity-token", assertion + "\n")
        let credential = try cloudTestProvider(environment).credential(forRegistry: registry)
        #expect(credential?.username == ACRTokenExchange.username)
        let token = try #require(server.requests(to: "/azure/").first).form
        #expect(token["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        #expect(token["client_assertion"] == assertion)
        #expect(token["client_secret"] == nil)
    }

    @Test func aWrongSecretFailsInOneLineWithoutTheSecret() throws {
        let scratch = try CloudScratch()
        let server = try mock()
        var environment = variables(server, scratch)
        environment["AZURE_CLIENT_SECRET"] = "wrong-client-secret"
        let error = try #require(#expect(throws: CloudCredentialError.self) {
            try cloudTestProvider(environment).credential(forRegistry: registry)
        })
        #expect(error.description.hasPrefix("Azure token exchange for \(registry) at \(server.baseURL)"
            + "/azure/tenant-id/oauth2/v2.0/token failed (HTTP 401): invalid_client: AADSTS7000215"))
        #expect(!error.description.contains("\n"))
        #expect(!error.description.contains("\r"))
        #expect(!error.description.contains("wrong-client-secret"))
        #expect(server.requests(to: "/oauth2/exchange").isEmpty)
    }

    @Test func aRegistryThatRefusesTheExchangeSaysWhichRegistry() throws {
        let scratch = try CloudScratch()
        let server = try mock()
        var environment = variables(server, scratch)
        environment["AZURE_CLIENT_SECRET"] = "client-secret"
        let error = #expect(throws: CloudCredentialError.self) {
            try cloudTestProvider(environment).credential(forRegistry: "otherregistry.azurecr.io")
        }
        let message = error?.description ?? ""
        #expect(message.contains("otherregistry.azurecr.io"))
        #expect(message.contains("HTTP 401): UNAUTHORIZED: authentication required"))
        #expect(message.contains("AcrPull"))
        #expect(!message.contains("entra-access-token"))
    }

    @Test func tokensAreReusedAndRotatedSecretsMintAgain() throws {
        let scratch = try CloudScratch()
        let server = try mock()
        var environment = variables(server, scratch)
        environment["AZURE_CLIENT_SECRET"] = "client-secret"
        let first = try cloudTestProvider(environment).credential(forRegistry: registry)
        let second = try cloudTestProvider(environment).credential(forRegistry: registry)
        #expect(first?.secret == second?.secret)
        #expect(server.requests(to: "/oauth2/exchange").count == 1)
        environment["AZURE_CLIENT_SECRET"] = "rotated-secret"
        #expect(throws: CloudCredentialError.self) {
            try cloudTestProvider(environment).credential(forRegistry: registry)
        }
        #expect(server.requests(to: "/azure/").count == 2)
    }
}
