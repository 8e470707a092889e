import KoLog

/// Errors from the transport itself (no usable HTTP response was received).
public enum HTTPError: Error, CustomStringConvertible, Sendable {
    /// libcurl failed in a way that retrying will not fix: TLS failure, unknown
    /// host, malformed answer...
    case transport(url: String, message: String)
    /// The exchange was cut short by the network or the server: connection
    /// refused or reset, nothing or only part of the body received, a stalled
    /// transfer. Retrying may succeed.
    case interrupted(url: String, message: String)
    /// No connection was made: refused, no route, or the connect timed out.
    /// Worth another try only from a server that answered before (one
    /// restarting); a first contact that fails is a wrong address or port.
    case cannotConnect(url: String, message: String)
    /// The response body exceeded the caller's cap.
    case bodyTooLarge(url: String, limit: Int)
    /// The response headers exceeded `HTTPClient.headerSizeLimit`.
    case headersTooLarge(url: String, limit: Int)
    /// Too many redirects, or a redirect to a scheme we do not follow.
    case redirect(url: String, reason: String)
    /// The server's address is one that credentials must never reach
    /// (link-local, cloud metadata, unspecified).
    case forbiddenAddress(url: String, address: String, reason: String)

    /// Whether the same request may succeed when sent again.
    public var isTransient: Bool {
        switch self {
        case .interrupted, .cannotConnect: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case let .transport(url, message):
            return "request to \(Redaction.url(url)) failed: \(message)"
        case let .interrupted(url, message):
            return "request to \(Redaction.url(url)) was interrupted: \(message)"
        case let .cannotConnect(url, message):
            return "cannot connect to \(Redaction.url(url)): \(message)"
        case let .bodyTooLarge(url, limit):
            return "response from \(Redaction.url(url)) is larger than \(limit) bytes"
        case let .headersTooLarge(url, limit):
            return "response headers from \(Redaction.url(url)) are larger than \(limit) bytes"
        case let .redirect(url, reason):
            return "redirect from \(Redaction.url(url)) refused: \(reason)"
        case let .forbiddenAddress(url, address, reason):
            return "request to \(Redaction.url(url)) refused: \(address) is \(reason), "
                + "which ko never sends requests to"
        }
    }
}
