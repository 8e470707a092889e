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

    static func check(flags: [String], ldflags: [String], environment: [String: String], source: String) throws {
        for flag in flags + words(environment["GOFLAGS"] ?? "") where starts(flag, with: programFlags) {
            throw BuildError.invalidFlag("\(source): build flag '\(flag)' is refused: it would run a program "
                + "of the config's choosing inside the build")
        }
        for flag in ldflags.flatMap(words) where starts(flag, with: programLinkerFlags) {
            throw BuildError.invalidFlag("\(source): linker flag '\(flag)' is refused: it would run a program "
                + "of the config's choosing inside the build")
        }
        for name in environment.keys.sorted() {
            if programVariables.contains(name) {
                throw BuildError.invalidFlag("\(source): env \(name) is refused: it names a program the build "
                    + "would run; set it in your own environment if you mean it")
            }
            if platformVariables.contains(name) {
                throw BuildError.invalidFlag("\(source): env \(name) is refused: choose platforms with "
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
