/// Removes secrets from text that is about to be logged or shown in an error.
///
/// Every HTTP exchange logged at `-v` and every message quoting a server's
/// answer passes through here first.
public enum Redaction {
    /// Header names whose values are never shown.
    public static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token",
    ]

    /// The header line with its value replaced when the header carries a secret.
    public static func header(name: String, value: String) -> String {
        let lowered = name.lowercased()
        if secretHeaders.contains(lowered) {
            // Only Authorization values start with a scheme worth showing
            // ("Bearer <redacted>"); a token or cookie value is secret whole.
            let parts = value.split(separator: " ", maxSplits: 1)
            guard lowered.hasSuffix("authorization"), parts.count == 2 else { return "\(name): <redacted>" }
            return "\(name): \(parts[0]) <redacted>"
        }
        return "\(name): \(value)"
    }

    /// A URL with its query string and user-info hidden: signed URLs carry
    /// credentials in the query, and `user:pass@host` in the authority.
    public static func url(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(of: "?") {
            text = String(text[..<query]) + "?<redacted>"
        }
        if let colon = text.firstIndex(of: ":"),
           text[colon...].hasPrefix("://") {
            let authorityStart = text.index(colon, offsetBy: 3)
            let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text = String(text[..<authorityStart]) + "<redacted>@" + String(text[text.index(after: at)...])
            }
        }
        return text
    }
}
