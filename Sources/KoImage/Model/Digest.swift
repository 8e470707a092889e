import KoCrypto

/// A content address such as `sha256:0123…` (OCI image spec, "Digests").
///
/// Only sha256 is produced; sha512 is accepted when parsing so that such
/// references are reported clearly rather than misread.
public struct Digest: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let hex: String

    public init(algorithm: String = "sha256", hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// Parses `algorithm:hex`, checking the hex length for the algorithm.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ImageError.invalidDigest(text) }
        let algorithm = String(parts[0])
        let hex = String(parts[1])
        let expectedLength: Int
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: throw ImageError.invalidDigest(text)
        }
        guard hex.utf8.count == expectedLength,
              hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw ImageError.invalidDigest(text)
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        Digest(hex: hexString(MessageDigest.sha256(of: bytes)))
    }

    public var description: String { "\(algorithm):\(hex)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
