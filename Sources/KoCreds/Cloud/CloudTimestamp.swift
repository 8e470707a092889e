import Foundation

/// RFC 3339 timestamps as token endpoints write them, with or without
/// fractional seconds (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123456Z`).
enum CloudTimestamp {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        // More than millisecond precision (Google writes nanoseconds): cut
        // the fraction to three digits and try again.
        if let dot = text.firstIndex(of: "."),
           let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<zone].prefix(3)
            return fractional.date(from: String(text[..<dot]) + "." + digits + String(text[zone...]))
        }
        return nil
    }
}
