#if canImport(Glibc)
import Glibc
#endif

/// Addresses a hostile server could point a client at to reach something it
/// should not: cloud metadata services (which hand out machine credentials),
/// other link-local hosts, and the unspecified address (which reaches the
/// local machine).
///
/// Checked on the URL's host before connecting and on the address actually
/// connected to, so a DNS name resolving there is caught too.
public enum SpecialAddress {
    /// Host names of metadata services, lowercased, without a trailing dot.
    static let metadataNames: Set<String> = [
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
        "metadata.azure.com", "metadata.tencentyun.com",
    ]

    /// Why `host` (a name, an IPv4 literal or an IPv6 literal with or without
    /// brackets) must not be contacted, or nil when it may be.
    public static func reason(forHost host: String) -> String? {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        while name.hasSuffix(".") { name.removeLast() }
        if let zone = name.firstIndex(of: "%") { name = String(name[..<zone]) }
        if metadataNames.contains(name) { return "a cloud metadata service" }
        if let v4 = ipv4(name) { return reason(ipv4: v4) }
        if let v6 = ipv6(name) { return reason(ipv6: v6) }
        return nil
    }

    private static func reason(ipv4 bytes: [UInt8]) -> String? {
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0, _, _, _): return "the unspecified address"
        case (169, 254, 169, 254), (100, 100, 100, 200): return "a cloud metadata service"
        case (169, 254, _, _): return "a link-local address"
        default: return nil
        }
    }

    private static func reason(ipv6 bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, not ::1) forms.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && (bytes[10] == 0xff && bytes[11] == 0xff
                                                     || bytes[10] == 0 && bytes[11] == 0 && bytes[12] != 0) {
            return reason(ipv4: Array(bytes[12..<16]))
        }
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "a link-local address" }
        // fd00:ec2::254, the AWS metadata service over IPv6.
        let aws: [UInt8] = [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
        if bytes == aws { return "a cloud metadata service" }
        return nil
    }

    private static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
