import KoLog

/// Errors from the transport itself (no usable HTTP response was received).
public enum HTTPError: Error, CustomStringConvertible, Sendable {
    /// libcurl failed: connection refused, TLS failure, timeout, reset...
    case transport(url: String, message: String)
    /// The response body exceeded the caller's cap.
    case bodyTooLarge(url: String, limit: Int)
    /// Too many redirects, or a redirect to a scheme we do not follow.
    case redirect(url: String, reason: String)

    public var description: String {
        switch self {
        case let .transport(url, message):
            return "request to \(Redaction.url(url)) failed: \(message)"
        case let .bodyTooLarge(url, limit):
            return "response from \(Redaction.url(url)) is larger than \(limit) bytes"
        case let .redirect(url, reason):
            return "redirect from \(Redaction.url(url)) refused: \(reason)"
        }
    }
}
