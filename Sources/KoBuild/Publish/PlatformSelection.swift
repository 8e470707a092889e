import KoImage

/// Which platforms a build targets, by ko's rules.
public enum PlatformSelection {
    /// `--platform` values if given, else `defaultPlatforms` (from `.ko.yaml`
    /// or `KO_DEFAULTPLATFORMS`), else `GOOS`/`GOARCH`, else `linux/amd64`.
    /// Combining `--platform` with `GOOS`/`GOARCH` is refused, as ko does.
    /// nil means `all`: every platform the base image offers.
    public static func platforms(flags: [String], defaults: [String] = [],
                                 environment: [String: String]) throws -> [Platform]? {
        let goos = environment["GOOS"].flatMap { $0.isEmpty ? nil : $0 }
        let goarch = environment["GOARCH"].flatMap { $0.isEmpty ? nil : $0 }
        if !flags.isEmpty {
            if goos != nil || goarch != nil {
                throw BuildError.invalidFlag("cannot use --platform with GOOS=\"\(goos ?? "")\" "
                    + "and GOARCH=\"\(goarch ?? "")\": unset them or drop --platform")
            }
            return try expand(flags)
        }
        let fromEnvironment = environment["KO_DEFAULTPLATFORMS"].map {
            $0.split(separator: ",").map(String.init)
        } ?? []
        if !fromEnvironment.isEmpty { return try expand(fromEnvironment) }
        if !defaults.isEmpty { return try expand(defaults) }
        if goos != nil || goarch != nil {
            var platform = Platform(os: goos ?? "linux", architecture: goarch ?? "amd64")
            if platform.architecture == "arm", let arm = environment["GOARM"], !arm.isEmpty {
                platform.variant = "v" + arm
            }
            return [platform]
        }
        return [Platform(os: "linux", architecture: "amd64")]
    }

    /// Platform names to platforms; `all` anywhere means every platform.
    static func expand(_ names: [String]) throws -> [Platform]? {
        if names.contains("all") { return nil }
        return try names.map { $0 == "host" ? host() : try parse($0) }
    }

    /// The machine ko runs on (`--platform=host`, beyond ko), in Go's names.
    public static func host() -> Platform {
        #if arch(x86_64)
        return Platform(os: "linux", architecture: "amd64")
        #elseif arch(arm64)
        return Platform(os: "linux", architecture: "arm64")
        #elseif arch(arm)
        return Platform(os: "linux", architecture: "arm", variant: "v7")
        #else
        return Platform(os: "linux", architecture: "unknown")
        #endif
    }

    /// Parses `os/arch[/variant][:osversion]`.
    public static func parse(_ text: String) throws -> Platform {
        var body = Substring(text)
        var osVersion: String?
        if let colon = body.firstIndex(of: ":") {
            osVersion = String(body[body.index(after: colon)...])
            body = body[..<colon]
        }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // Go's names are lowercase letters and digits; anything else (a path,
        // say) is a mistake to report now, not after pulling the base.
        let isName: (String) -> Bool = { part in
            !part.isEmpty && part.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }
        }
        guard (2...3).contains(parts.count), parts.allSatisfy(isName) else {
            throw BuildError.invalidFlag("invalid platform '\(text)': expected os/arch[/variant][:osversion]")
        }
        return Platform(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil,
                        osVersion: osVersion)
    }
}
