/// The cloud token exchanges, consulted by the resolver and by
/// `docker-credential-ko get` after stored credentials found nothing.
extension CloudCredentialProvider: CredentialExchange {
    public func mintCredential(forRegistry registry: String) throws -> Credential? {
        let minted: (username: String, secret: String)? = try credential(forRegistry: registry)
        return minted.map { Credential(username: $0.username, secret: $0.secret) }
    }
}
