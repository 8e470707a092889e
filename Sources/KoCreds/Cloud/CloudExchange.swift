import Foundation
import KoHTTP
import KoLog

/// Sends one request to a token endpoint and turns failures into one-line
/// `CloudCredentialError`s that quote the provider and never a secret.
struct CloudExchange {
    let http: HTTPClient
    /// Who answers, as the user knows it: "ECR", "Google", "Azure", "AWS STS".
    let provider: String
    /// The registry the token is for, named in every error.
    let registry: String
    let logger: Logger

    /// Sends `request` and returns a 2xx response; any other status throws
    /// `exchangeFailed` with the provider's error text, scrubbed of `secrets`.
    func send(_ request: HTTPRequest, secrets: [String], hint: String = "") throws -> HTTPResponse {
        let endpoint = Redaction.url(request.url)
        logger.debug("\(provider): \(request.method) \(endpoint) for \(registry)")
        let response: HTTPResponse
        do {
            response = try http.send(request, bodyLimit: 1 << 20)
        } catch let error as HTTPError {
            throw CloudCredentialError.transport(provider: provider, registry: registry, endpoint: endpoint,
                                                 message: Self.scrub("\(error)", secrets: secrets))
        }
        logger.debug("\(provider): \(endpoint) answered \(response.status)")
        guard (200..<300).contains(response.status) else {
            let reason = Self.scrub(Self.providerReason(response.body), secrets: secrets)
            throw CloudCredentialError.exchangeFailed(provider: provider, registry: registry, endpoint: endpoint,
                                                      status: response.status, reason: reason, hint: hint)
        }
        return response
    }

    /// The response body as a JSON object, or `malformedResponse`.
    func jsonObject(_ response: HTTPResponse) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw malformed(response.url, "the body is not a JSON object")
        }
        return object
    }

    func malformed(_ url: String, _ reason: String) -> CloudCredentialError {
        .malformedResponse(provider: provider, registry: registry, endpoint: Redaction.url(url), reason: reason)
    }

    // MARK: Form bodies

    /// An `application/x-www-form-urlencoded` body (WHATWG URL §5).
    static func formBody(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { formEscape($0.0) + "=" + formEscape($0.1) }.joined(separator: "&").utf8)
    }

    static func formEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    // MARK: Error text

    /// The provider's own explanation from an error body: OAuth2
    /// `error`/`error_description`, Google's `error.message`, AWS JSON
    /// `__type`/`message`, registry `errors[0]`, or AWS XML `Code`/`Message`;
    /// else the text itself.
    static func providerReason(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(8192), as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            return oneLine(jsonReason(object) ?? text)
        }
        if let code = xmlElement("Code", in: text) {
            let message = xmlElement("Message", in: text).map { ": " + $0 } ?? ""
            return oneLine(code + message)
        }
        return oneLine(text)
    }

    private static func jsonReason(_ object: [String: Any]) -> String? {
        var parts: [String] = []
        if let type = object["__type"] as? String {
            parts.append(String(type.split(separator: "#").last ?? Substring(type)))
        }
        if let error = object["error"] as? String { parts.append(error) }
        if let error = object["error"] as? [String: Any] {
            if let status = error["status"] as? String { parts.append(status) }
            if let message = error["message"] as? String { parts.append(message) }
        }
        // Registry-style errors, as the ACR exchange answers: {"errors":[{"code","message"}]}.
        if let errors = object["errors"] as? [[String: Any]], let first = errors.first {
            if let code = first["code"] as? String { parts.append(code) }
            if let message = first["message"] as? String { parts.append(message) }
        }
        for key in ["error_description", "message", "Message"] {
            if let text = object[key] as? String { parts.append(text) }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return xmlUnescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func xmlUnescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Whitespace runs (newlines included) become one space; long text is cut.
    static func oneLine(_ text: String, limit: Int = 300) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }

    /// Replaces every occurrence of a secret (longer than 3 characters) by `<redacted>`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets where secret.count > 3 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return out
    }
}
