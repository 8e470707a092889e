import KoImage

/// What `.ko.yaml` may not ask of `go build`: a repository's config file
/// must not be able to run a program of its choosing during the build, nor
/// to build for a platform other than the one the image says.
///
/// ko refuses `-toolexec`; the same door is open through `GOFLAGS`, the C
/// compiler and linker variables and the external linker flags, so all of
/// them are closed here. The user's own environment is theirs and is not checked.
enum BuildSettingsPolicy {
    /// Flags that name a program for the go command to run.
    static let programFlags = ["-toolexec", "--toolexec", "-exec", "--exec"]
    /// Linker flags that name a program to run.
    static let programLinkerFlags = ["-extld", "--extld", "-extar", "--extar"]
    /// Variables that name programs the build runs.
    static let programVariables: Set<String> = [
        "CC", "CXX", "FC", "AR", "PKG_CONFIG", "GOTOOLCHAIN", "GCCGO", "CC_FOR_TARGET", "CXX_FOR_TARGET",
    ]
    /// Variables that choose the platform: `--platform` and `defaultPlatforms` do that.
    static let platformVariables: Set<String> = ["GOOS", "GOARCH", "GOARM", "GOAMD64", "GO386", "GOARM64"]

    /// Throws for the first refused setting, naming where it came from.
    /// `environment` holds each variable's value, at the entry that set it.
    static func check(flags: [BuildSetting], ldflags: [BuildSetting], environment: [String: BuildSetting]) throws {
        let runsAProgram = "it would have the build run the program it names"
        for flag in flags where starts(flag.text, with: programFlags) {
            throw flag.error("build flag '\(flag.quoted)' is refused: \(runsAProgram)")
        }
        if let goflags = environment["GOFLAGS"],
           let refused = words(goflags.text).first(where: { starts($0, with: programFlags) }) {
            throw goflags.error("build flag '\(InputQuoting.quote(refused))' in env GOFLAGS is refused: "
                + runsAProgram)
        }
        for ldflag in ldflags {
            if let refused = words(ldflag.text).first(where: { starts($0, with: programLinkerFlags) }) {
                throw ldflag.error("linker flag '\(InputQuoting.quote(refused))' is refused: \(runsAProgram)")
            }
        }
        for name in environment.keys.sorted() {
            guard let entry = environment[name] else { continue }
            if programVariables.contains(name) {
                throw entry.error("env \(name) is refused: it names a program the build "
                    + "would run; set it in your own environment if you mean it")
            }
            if platformVariables.contains(name) {
                throw entry.error("env \(name) is refused: choose platforms with "
                    + "--platform or defaultPlatforms, so that the image says what the binary is")
            }
        }
    }

    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private static func starts(_ flag: String, with names: [String]) -> Bool {
        names.contains { flag == $0 || flag.hasPrefix($0 + "=") }
    }
}
