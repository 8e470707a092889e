/// A private Amazon ECR registry host, parsed into what its API endpoint
/// and signature need.
///
/// The pattern is the one the Amazon ECR credential helper uses
/// (awslabs/amazon-ecr-credential-helper, `ecr-login/api/client.go`):
/// `<12-digit account>.dkr.ecr[-fips].<region>.<partition suffix>`, and the
/// dual-stack `<account>.dkr-ecr[-fips].<region>.on.aws`.
package struct ECRRegistry: Equatable, Sendable {
    package var host: String
    package var accountID: String
    package var region: String
    package var isFIPS: Bool
    /// The DNS suffix of the registry host (`amazonaws.com`, `on.aws`, ...).
    package var dnsSuffix: String

    package init?(host: String) {
        let pattern = #/
            (\d{12}) \. dkr [.-] ecr (-fips)? \.
            ([a-zA-Z0-9][a-zA-Z0-9_-]*) \.
            ( amazonaws \. (?:com(?:\.cn)?|eu) | on \. (?:aws|amazonwebservices\.com\.cn)
            | sc2s\.sgov\.gov | c2s\.ic\.gov | cloud\.adc-e\.uk | csp\.hci\.ic\.gov )
            /#
        guard let match = host.wholeMatch(of: pattern) else { return nil }
        self.host = host
        self.accountID = String(match.1)
        self.isFIPS = match.2 != nil
        self.region = String(match.3)
        self.dnsSuffix = String(match.4)
    }

    /// Whether this is a dual-stack (`.on.aws`) registry name.
    package var isDualStack: Bool { dnsSuffix.hasPrefix("on.") }

    /// The suffix of the partition's regular (IPv4) service endpoints.
    package var partitionSuffix: String {
        switch dnsSuffix {
        case "on.aws": return "amazonaws.com"
        case "on.amazonwebservices.com.cn": return "amazonaws.com.cn"
        default: return dnsSuffix
        }
    }

    /// The ECR API endpoint of the registry's region
    /// (https://docs.aws.amazon.com/general/latest/gr/ecr.html): FIPS hosts
    /// go to `ecr-fips`, dual-stack hosts to the `api.aws` dual-stack names.
    package var defaultAPIEndpoint: String {
        switch (isDualStack, isFIPS) {
        case (true, _) where dnsSuffix == "on.amazonwebservices.com.cn":
            return "https://ecr.\(region).api.amazonwebservices.com.cn"
        case (true, true): return "https://ecr-fips.\(region).api.aws"
        case (true, false): return "https://ecr.\(region).api.aws"
        case (false, true): return "https://ecr-fips.\(region).\(dnsSuffix)"
        case (false, false): return "https://api.ecr.\(region).\(dnsSuffix)"
        }
    }

    /// The regional STS endpoint of the registry's partition.
    package var defaultSTSEndpoint: String { "https://sts.\(region).\(partitionSuffix)" }
}
