import Foundation

/// Base64 with the URL- and filename-safe alphabet and no padding (RFC 4648 §5),
/// the encoding of JSON Web Token segments (RFC 7515 §2).
public enum Base64URL {
    /// Encodes bytes without `=` padding.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes text with or without padding; nil when it is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        var standard = text
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        let remainder = standard.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: standard) else { return nil }
        return Array(data)
    }
}
