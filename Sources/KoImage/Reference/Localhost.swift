#if canImport(Glibc)
import Glibc
#endif

/// Whether `host` (optionally with `:port`, IPv6 optionally in brackets) names
/// this machine's loopback: exactly `localhost`, an address in 127.0.0.0/8, or `::1`.
///
/// The match is exact, never a prefix: `localhost.example.com` and
/// `127.0.0.1.nip.io` are remote hosts. Plain HTTP is allowed only for hosts
/// this returns true for (or with `--insecure-registry`).
public func isLocalhost(_ host: String) -> Bool {
    guard let name = hostWithoutPort(host) else { return false }
    var ipv6 = in6_addr()
    if inet_pton(AF_INET6, name, &ipv6) == 1 {
        let bytes = withUnsafeBytes(of: &ipv6) { Array($0) }
        return bytes == Array(repeating: 0, count: 15) + [1]
    }
    // Brackets hold only IPv6 addresses.
    guard !host.hasPrefix("[") else { return false }
    if name.lowercased() == "localhost" { return true }
    var ipv4 = in_addr()
    if inet_pton(AF_INET, name, &ipv4) == 1 {
        return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127
    }
    return false
}

/// The host part of `host[:port]`, `[v6]:port`, `[v6]` or a bare IPv6 address;
/// nil when the port is not a number or the brackets do not close.
func hostWithoutPort(_ text: String) -> String? {
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let inner = String(text[text.index(after: text.startIndex)..<close])
        let rest = text[text.index(after: close)...]
        if rest.isEmpty { return inner }
        guard rest.hasPrefix(":"), isPort(rest.dropFirst()) else { return nil }
        return inner
    }
    let colons = text.filter { $0 == ":" }.count
    if colons == 1, let colon = text.firstIndex(of: ":") {
        guard isPort(text[text.index(after: colon)...]) else { return nil }
        return String(text[..<colon])
    }
    return text  // no port, or a bare IPv6 address
}

private func isPort(_ text: Substring) -> Bool {
    !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
}
