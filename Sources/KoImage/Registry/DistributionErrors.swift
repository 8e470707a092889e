import Foundation
import KoHTTP

/// The error document of the distribution spec ("Error Codes"):
/// `{"errors":[{"code":"UNAUTHORIZED","message":"...","detail":...}]}`.
struct DistributionErrors: Decodable {
    struct Entry: Decodable {
        var code: String?
        var message: String?
    }

    var errors: [Entry]?

    /// `401 UNAUTHORIZED: authentication required` for a response, falling back
    /// to the status and the first line of a non-JSON body.
    static func summary(of response: HTTPResponse) -> String {
        let entries = (try? JSONDecoder().decode(DistributionErrors.self, from: Data(response.body)))?
            .errors ?? []
        let parts = entries.prefix(3).compactMap { entry -> String? in
            switch (entry.code, entry.message) {
            case let (code?, message?) where !message.isEmpty: return "\(code): \(message)"
            case let (code?, _): return code
            case let (nil, message?): return message
            case (nil, nil): return nil
            }
        }
        if !parts.isEmpty { return "\(response.status) " + parts.joined(separator: "; ") }
        let firstLine = String(decoding: response.body.prefix(512), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let printable = firstLine.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value != 0x7f) || $0 == "\t" }
        guard !firstLine.isEmpty, printable, !firstLine.hasPrefix("<") else {
            // No error document (a HEAD, or a proxy's HTML page): the status says it all.
            return reasons[response.status].map { "\(response.status) \($0)" } ?? "HTTP \(response.status)"
        }
        return "HTTP \(response.status): \(firstLine.prefix(200))"
    }

    private static let reasons = [
        400: "BAD REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT FOUND", 405: "METHOD NOT ALLOWED",
        409: "CONFLICT", 429: "TOO MANY REQUESTS", 500: "INTERNAL SERVER ERROR", 502: "BAD GATEWAY",
        503: "SERVICE UNAVAILABLE", 504: "GATEWAY TIMEOUT",
    ]
}
