import COpenSSL

/// An RSA private key loaded from PEM, used to sign RS256 JSON Web Tokens
/// (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3).
///
/// Google service-account key files carry their key as a PKCS#8 PEM string.
public final class RSAPrivateKey {
    private let key: OpaquePointer

    /// Parses a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1
    /// `BEGIN RSA PRIVATE KEY`). The reason OpenSSL gives never contains the
    /// key itself.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty else { throw CryptoError.invalidKey("the PEM text is empty") }
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let parsed else {
            throw CryptoError.invalidKey("not a PEM private key (\(CryptoError.fromQueue("PEM_read_bio_PrivateKey")))")
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA else {
            EVP_PKEY_free(parsed)
            throw CryptoError.invalidKey("the PEM key is not an RSA key")
        }
        self.key = parsed
    }

    deinit { EVP_PKEY_free(key) }

    /// The RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    public func signSHA256<Bytes: Sequence>(_ message: Bytes) throws -> [UInt8] where Bytes.Element == UInt8 {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromQueue("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw CryptoError.fromQueue("RSA-SHA256 sign init")
        }
        let input = Array(message)
        var length = 0
        let sized = input.withUnsafeBufferPointer { buffer in
            EVP_DigestSign(context, nil, &length, buffer.baseAddress, buffer.count)
        }
        guard sized == 1 else { throw CryptoError.fromQueue("RSA-SHA256 sign (size)") }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = input.withUnsafeBufferPointer { buffer in
            EVP_DigestSign(context, &signature, &length, buffer.baseAddress, buffer.count)
        }
        guard signed == 1 else { throw CryptoError.fromQueue("RSA-SHA256 sign") }
        return Array(signature.prefix(length))
    }
}
