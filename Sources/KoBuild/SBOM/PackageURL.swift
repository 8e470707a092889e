/// Package URLs (purl, github.com/package-url/purl-spec) and SPDX
/// identifiers, formed the way ko forms them.
enum PackageURL {
    /// `pkg:oci/<name>@<digest>?<qualifiers>`, qualifiers sorted by key and
    /// escaped as Go's `url.Values.Encode` does.
    static func oci(name: String, digest: String, qualifiers: [(key: String, value: String)] = []) -> String {
        var purl = "pkg:oci/\(name)@\(digest)"
        if !qualifiers.isEmpty {
            // A stable sort keeps repeated keys (os-feature) in the order given.
            let sorted = qualifiers.enumerated().sorted { lhs, rhs in
                lhs.element.key == rhs.element.key ? lhs.offset < rhs.offset : lhs.element.key < rhs.element.key
            }.map(\.element)
            purl += "?" + sorted.map { queryEscape($0.key) + "=" + queryEscape($0.value) }.joined(separator: "&")
        }
        return purl
    }

    /// `pkg:golang/<path>@<version>?type=module`; the first two path
    /// elements are lowercased when there are more than two, as ko does
    /// for the purl spec's golang type.
    static func golang(path: String, version: String) -> String {
        var elements = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if elements.count > 2 {
            elements[0] = elements[0].lowercased()
            elements[1] = elements[1].lowercased()
        }
        return "pkg:golang/\(elements.joined(separator: "/"))@\(version)?type=module"
    }

    /// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space
    /// becomes `+`, every other byte `%XX`.
    static func queryEscape(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                output += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return output
    }

    /// `SPDXRef-<text>` with every character SPDX does not allow in an
    /// identifier (only letters, digits, `.` and `-`) turned into `-`.
    static func spdxID(_ text: String) -> String {
        let allowed = text.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-": return Character(scalar)
            default: return "-"
            }
        }
        return "SPDXRef-" + String(allowed)
    }
}
