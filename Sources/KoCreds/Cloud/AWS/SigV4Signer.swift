import Foundation
import KoCrypto
import KoHTTP
#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 for request headers
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
///
/// HMAC-SHA256 and SHA-256 come from OpenSSL through KoCrypto. Canonical URIs
/// follow the rules of non-S3 services: dot segments and repeated slashes are
/// removed and each segment is URI-encoded once more.
struct SigV4Signer {
    var credentials: AWSCredentials
    var region: String
    var service: String

    /// Every intermediate of one signature, for tests and debugging.
    struct Signature: Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var signedHeaders: String
        var authorization: String
    }

    /// Signs the parts of a request. `path` and `query` are as they appear
    /// on the request line; `headers` must include `host` and `x-amz-date`
    /// and are all signed.
    func sign(method: String, path: String, query: String, headers: [(name: String, value: String)],
              payloadHash: String, date: Date) -> Signature {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))

        var grouped: [String: [String]] = [:]
        for header in headers {
            grouped[header.name.lowercased(), default: []].append(Self.trimmedHeaderValue(header.value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            method.uppercased(),
            Self.canonicalURI(path),
            Self.canonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp,
            scope,
            hexString(MessageDigest.sha256(of: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        var key = HMAC.sha256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), message: day)
        for part in [region, service, "aws4_request"] {
            key = HMAC.sha256(key: key, message: part)
        }
        let signature = hexString(HMAC.sha256(key: key, message: stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
                         signedHeaders: signedHeaders, authorization: authorization)
    }

    /// Adds `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (for temporary
    /// credentials) and `Authorization` to a request whose body is `payload`.
    /// Headers already on the request (Content-Type, X-Amz-Target) are signed.
    func sign(_ request: inout HTTPRequest, payload: [UInt8], date: Date) {
        let parts = Self.splitURL(request.url)
        request.headers.removeAll { ["host", "authorization", "x-amz-date"].contains($0.name.lowercased()) }
        request.headers.append((name: "Host", value: parts.host))
        request.headers.append((name: "X-Amz-Date", value: Self.timestamp(date)))
        if let token = credentials.sessionToken {
            request.headers.removeAll { $0.name.lowercased() == "x-amz-security-token" }
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let payloadHash = hexString(MessageDigest.sha256(of: payload))
        let signature = sign(method: request.method, path: parts.path, query: parts.query,
                             headers: request.headers, payloadHash: payloadHash, date: date)
        request.headers.append((name: "Authorization", value: signature.authorization))
    }

    // MARK: Canonical parts

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Leading and trailing spaces removed, inner runs of spaces made one.
    static func trimmedHeaderValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// The normalized path with each segment URI-encoded.
    static func canonicalURI(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let endsWithSlash = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        let encoded = segments.map { uriEncode(String($0)) }.joined(separator: "/")
        if encoded.isEmpty { return "/" }
        return "/" + encoded + (endsWithSlash ? "/" : "")
    }

    /// Query parameters decoded, re-encoded with the SigV4 alphabet and
    /// sorted by name, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(parts[0]))
            let value = parts.count > 1 ? percentDecode(String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { lhs, rhs in
            lhs.0 == rhs.0 ? Array(lhs.1.utf8).lexicographicallyPrecedes(rhs.1.utf8)
                : Array(lhs.0.utf8).lexicographicallyPrecedes(rhs.0.utf8)
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// URI-encodes every byte except the unreserved `A-Z a-z 0-9 - _ . ~`.
    static func uriEncode(_ text: String) -> String {
        CloudExchange.formEscape(text)
    }

    static func percentDecode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    /// Host (with a non-default port), path and query of a URL.
    static func splitURL(_ url: String) -> (host: String, path: String, query: String) {
        var rest = Substring(url)
        var scheme = "https"
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var host = String(rest[..<authorityEnd])
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if scheme == "https" && host.hasSuffix(":443") { host.removeLast(4) }
        if scheme == "http" && host.hasSuffix(":80") { host.removeLast(3) }
        rest = rest[authorityEnd...]
        let queryStart = rest.firstIndex(of: "?")
        var path = String(queryStart.map { rest[..<$0] } ?? rest)
        if path.isEmpty { path = "/" }
        let query = queryStart.map { String(rest[rest.index(after: $0)...]) } ?? ""
        return (host, path, query)
    }
}
