/// The cloud registry a host belongs to, decided by anchored patterns only:
/// a host that merely contains a cloud domain (`gcr.io.evil.com`,
/// `x.azurecr.io.example.net`) is no cloud registry and gets no token.
package enum CloudRegistry: Equatable, Sendable {
    case ecr(ECRRegistry)
    case ecrPublic
    case google
    case azure(ACRRegistry)
    case github

    /// The registry of `host` (a host name, optionally with `:443`, a scheme
    /// or a path, as credential helpers receive it), or nil.
    package static func classify(_ host: String) -> CloudRegistry? {
        guard let name = normalizedHost(host) else { return nil }
        if let ecr = ECRRegistry(host: name) { return .ecr(ecr) }
        if name == "public.ecr.aws" { return .ecrPublic }
        if name == "gcr.io" || name.wholeMatch(of: #/[a-z0-9][a-z0-9-]*\.gcr\.io/#) != nil
            || name.wholeMatch(of: #/[a-z0-9][a-z0-9-]*\.pkg\.dev/#) != nil {
            return .google
        }
        if let acr = ACRRegistry(host: name) { return .azure(acr) }
        if name == "ghcr.io" { return .github }
        return nil
    }

    /// The bare lowercase host name, without scheme, path or the default
    /// HTTPS port; nil when another port is named (no cloud registry listens
    /// on one) or the text is not a plain host name.
    package static func normalizedHost(_ text: String) -> String? {
        var host = Substring(text.lowercased())
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) {
            host = host.dropFirst(scheme.count)
        }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        if host.hasSuffix(":443") { host = host.dropLast(4) }
        guard !host.isEmpty, host.wholeMatch(of: #/[a-z0-9.-]+/#) != nil else { return nil }
        return String(host)
    }
}
