import Foundation
import KoHTTP
import KoLog

/// ECR `GetAuthorizationToken` (AWS JSON 1.1 protocol, SigV4-signed): the
/// private registries' API
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html)
/// and ECR Public's, which lives only in us-east-1.
struct ECRTokenExchange {
    /// Which of the two ECR services answers.
    enum Target {
        case privateRegistry(ECRRegistry)
        case publicGallery
    }

    let target: Target
    let environment: CloudEnvironment
    let http: HTTPClient
    let logger: Logger

    var registryHost: String {
        switch target {
        case let .privateRegistry(registry): return registry.host
        case .publicGallery: return "public.ecr.aws"
        }
    }

    var region: String {
        switch target {
        case let .privateRegistry(registry): return registry.region
        case .publicGallery: return "us-east-1"
        }
    }

    /// The API endpoint, after `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL_ECR_PUBLIC` / `AWS_ENDPOINT_URL`.
    var endpoint: String {
        switch target {
        case let .privateRegistry(registry):
            return AWSEndpoints.url(service: "ECR", environment: environment, fallback: registry.defaultAPIEndpoint)
        case .publicGallery:
            return AWSEndpoints.url(service: "ECR_PUBLIC", environment: environment,
                                    fallback: "https://api.ecr-public.us-east-1.amazonaws.com")
        }
    }

    var defaultSTSEndpoint: String {
        switch target {
        case let .privateRegistry(registry): return registry.defaultSTSEndpoint
        case .publicGallery: return "https://sts.us-east-1.amazonaws.com"
        }
    }

    /// Calls GetAuthorizationToken with `credentials` and decodes the
    /// `AWS:<password>` token.
    func mint(with credentials: AWSCredentials, sourceLabel: String, now: Date) throws -> CloudToken {
        let service: String
        let operation: String
        let body: [UInt8]
        switch target {
        case let .privateRegistry(registry):
            service = "ecr"
            operation = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
            body = Array("{\"registryIds\":[\"\(registry.accountID)\"]}".utf8)
        case .publicGallery:
            service = "ecr-public"
            operation = "SpencerFrontendService.GetAuthorizationToken"
            body = Array("{}".utf8)
        }
        var request = HTTPRequest(method: "POST", url: endpoint + "/",
                                  headers: [(name: "Content-Type", value: "application/x-amz-json-1.1"),
                                            (name: "X-Amz-Target", value: operation)],
                                  body: .bytes(body))
        SigV4Signer(credentials: credentials, region: region, service: service)
            .sign(&request, payload: body, date: now)

        let exchange = CloudExchange(http: http, provider: "ECR", registry: registryHost, logger: logger)
        let response = try exchange.send(
            request, secrets: credentials.secrets,
            hint: "AWS refused the key \(credentials.accessKeyID) from \(sourceLabel); check it and its "
                + "ecr:GetAuthorizationToken permission")
        let object = try exchange.jsonObject(response)

        let data: [String: Any]?
        switch target {
        case .privateRegistry: data = (object["authorizationData"] as? [[String: Any]])?.first
        case .publicGallery: data = object["authorizationData"] as? [String: Any]
        }
        guard let data, let encoded = data["authorizationToken"] as? String else {
            throw exchange.malformed(response.url, "no authorizationData.authorizationToken")
        }
        guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
              let colon = decoded.firstIndex(of: ":") else {
            throw exchange.malformed(response.url, "the authorization token is not base64 of user:password")
        }
        let expiresAt = (data["expiresAt"] as? Double).map { Date(timeIntervalSince1970: $0) }
            ?? now.addingTimeInterval(12 * 3600)
        return CloudToken(username: String(decoded[..<colon]), secret: String(decoded[decoded.index(after: colon)...]),
                          issuedAt: now, expiresAt: expiresAt)
    }
}
