import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Errors from OpenSSL, with the library's own reason text.
public enum CryptoError: Error, CustomStringConvertible, Sendable {
    case openSSL(operation: String, reason: String)
    case invalidKey(String)

    public var description: String {
        switch self {
        case let .openSSL(operation, reason): return "OpenSSL \(operation) failed: \(reason)"
        case let .invalidKey(reason): return "invalid key: \(reason)"
        }
    }

    /// Pops OpenSSL's error queue into a typed error for `operation`.
    static func fromQueue(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        guard code != 0 else { return .openSSL(operation: operation, reason: "unknown error") }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return .openSSL(operation: operation, reason: String(cString: buffer))
    }
}

/// A streaming message digest over an `EVP_MD_CTX`.
///
/// Feed bytes with `update` as they pass (a layer being compressed, a blob
/// being downloaded) and read the digest once with `finalize`.
public final class MessageDigest {
    private let context: OpaquePointer

    /// Starts a digest with the named algorithm.
    init(_ algorithm: OpaquePointer?, name: String) throws {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromQueue("EVP_MD_CTX_new") }
        self.context = context
        guard EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            throw CryptoError.fromQueue("digest init (\(name))")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    /// A digest with an algorithm built into libcrypto, whose set-up can only
    /// fail when memory runs out, where Swift itself would stop too.
    private init(builtIn algorithm: OpaquePointer?) {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            fputs("Error: out of memory setting up a message digest\n", stderr)
            exit(70)
        }
        self.context = context
    }

    /// A SHA-256 digest, the one OCI content addresses use.
    public static func sha256() -> MessageDigest { MessageDigest(builtIn: EVP_sha256()) }

    /// An MD5 digest: ko names images by the MD5 of their import path.
    public static func md5() -> MessageDigest { MessageDigest(builtIn: EVP_md5()) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest bytes. The context must not be used afterwards.
    public func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return Array(output.prefix(Int(length)))
    }

    /// SHA-256 of `bytes`, as bytes.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        let digest = MessageDigest.sha256()
        digest.update(bytes)
        return digest.finalize()
    }
}

/// Lowercase hexadecimal text of bytes.
public func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
