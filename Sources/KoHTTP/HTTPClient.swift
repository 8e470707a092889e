import Foundation
import KoLog

// INTERFACE CONTRACT — the signatures in this file are what KoImage and KoCreds
// code against. The bodies are being implemented over libcurl (CCurl) on the
// registry branch; until then they throw.

/// What a request sends as its body.
public enum HTTPBody: Sendable {
    case none
    case bytes([UInt8])
    /// Streams `length` bytes of the file from `offset`, never loading it whole.
    case file(path: String, offset: UInt64 = 0, length: UInt64)
}

/// One HTTP request. Header names are case-insensitive.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: HTTPBody

    public init(method: String = "GET", url: String,
                headers: [(name: String, value: String)] = [], body: HTTPBody = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP response. `headers` keys are lowercased; repeated headers are kept in order.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: [String]]
    public var body: [UInt8]
    /// The URL that finally answered, after redirects.
    public var url: String

    public init(status: Int, headers: [String: [String]], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()]?.first }
}

/// How TLS and plain HTTP are allowed for one client.
public struct TransportSecurity: Sendable {
    /// Skip certificate verification (only for `--insecure-registry`).
    public var skipsVerification: Bool
    /// Extra CA bundle file and directory, from `SSL_CERT_FILE` / `SSL_CERT_DIR` by default.
    public var caFile: String?
    public var caDirectory: String?

    public init(skipsVerification: Bool = false,
                caFile: String? = ProcessInfo.processInfo.environment["SSL_CERT_FILE"],
                caDirectory: String? = ProcessInfo.processInfo.environment["SSL_CERT_DIR"]) {
        self.skipsVerification = skipsVerification
        self.caFile = caFile
        self.caDirectory = caDirectory
    }
}

/// Errors from the transport itself (no HTTP status was received).
public enum HTTPError: Error, CustomStringConvertible, Sendable {
    /// libcurl failed: connection refused, TLS failure, timeout, reset...
    case transport(url: String, message: String)
    /// The response body exceeded the caller's cap.
    case bodyTooLarge(url: String, limit: Int)
    /// Too many redirects, or a redirect to a scheme we do not follow.
    case redirect(url: String, reason: String)
    /// Not built yet (interface placeholder; removed when the transport lands).
    case unavailable

    public var description: String {
        switch self {
        case let .transport(url, message):
            return "request to \(Redaction.url(url)) failed: \(message)"
        case let .bodyTooLarge(url, limit):
            return "response from \(Redaction.url(url)) is larger than \(limit) bytes"
        case let .redirect(url, reason):
            return "redirect from \(Redaction.url(url)) refused: \(reason)"
        case .unavailable:
            return "HTTP transport not available"
        }
    }
}

/// A blocking HTTP client over libcurl. One instance may be used from several
/// threads; each call uses its own easy handle (or a pooled one).
///
/// Redirects are followed by the client itself (at most 10), and an
/// `Authorization` header is dropped when a redirect leaves the original
/// scheme+host+port. Every exchange is logged at `trace` with secrets redacted.
public final class HTTPClient: @unchecked Sendable {
    public let security: TransportSecurity
    public let userAgent: String
    public let logger: Logger

    public init(security: TransportSecurity = TransportSecurity(),
                userAgent: String = "ko", logger: Logger = .silent) {
        self.security = security
        self.userAgent = userAgent
        self.logger = logger
    }

    /// Sends the request and returns the response with its body collected,
    /// failing with `bodyTooLarge` past `bodyLimit` bytes (default 4 MiB).
    public func send(_ request: HTTPRequest, bodyLimit: Int = 4 << 20) throws -> HTTPResponse {
        throw HTTPError.unavailable
    }

    /// Sends the request and streams a 2xx response body into `sink` chunk by
    /// chunk; a non-2xx body is collected (capped) into the returned response.
    public func stream(_ request: HTTPRequest,
                       into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        throw HTTPError.unavailable
    }
}
