import COpenSSL

/// HMAC over OpenSSL's one-shot `HMAC()`.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (RFC 2104), as 32 bytes.
    ///
    /// AWS Signature Version 4 chains these to derive its signing key.
    public static func sha256<Key: Sequence, Message: Sequence>(key: Key, message: Message) -> [UInt8]
    where Key.Element == UInt8, Message.Element == UInt8 {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBytes { messageBuffer in
                COpenSSL.HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                              messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                              messageBuffer.count, &output, &length)
            }
        }
        // HMAC() only fails when the digest is unknown or memory runs out;
        // EVP_sha256 is built in, so an empty result means the process is
        // already beyond help. Return what OpenSSL wrote (nothing) rather
        // than crash; a wrong MAC is then rejected by the server.
        guard result != nil else { return [] }
        return Array(output.prefix(Int(length)))
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `message`.
    public static func sha256<Key: Sequence>(key: Key, message: String) -> [UInt8] where Key.Element == UInt8 {
        sha256(key: key, message: Array(message.utf8))
    }
}
