import Foundation
import KoCrypto

/// The signed JWT a service account trades for an access token
/// (https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests):
/// RS256 over `{"alg":"RS256","typ":"JWT","kid":…}` and the claims `iss`,
/// `scope`, `aud` (the token URI), `iat` and `exp` (one hour later).
enum GoogleServiceAccountAssertion {
    static let scope = "https://www.googleapis.com/auth/cloud-platform"

    static func make(clientEmail: String, privateKeyPEM: String, privateKeyID: String?, audience: String,
                     issuedAt: Date) throws -> String {
        var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let privateKeyID, !privateKeyID.isEmpty { header["kid"] = privateKeyID }
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": clientEmail, "scope": scope, "aud": audience, "iat": iat, "exp": iat + 3600,
        ]
        let signingInput = try Base64URL.encode(json(header)) + "." + Base64URL.encode(json(claims))
        let key = try RSAPrivateKey(pem: privateKeyPEM)
        let signature = try key.signSHA256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Sorted keys, unescaped slashes: the same bytes every time.
    private static func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
