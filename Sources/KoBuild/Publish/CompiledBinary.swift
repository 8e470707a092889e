import KoImage

/// Where `go build` writes a binary: a directory kept in the layer cache for
/// each import path, platform and build setting, so that rebuilding an
/// unchanged program is Go's own no-op (no compile, no link) and its layer is
/// found without reading the binary again. The binary is then linked (or
/// copied) into the run's scratch directory, which is what the image is made
/// from, so a concurrent build replacing the kept file changes nothing here.
struct CompiledBinary {
    let cache: LayerCache?
    /// The user's environment: a GOTMPDIR of theirs is left alone.
    let environment: [String: String]

    /// Runs `build` so that its output ends up at `binary`. `build` gets the
    /// path to pass to `go build -o` and extra environment for it.
    func compile(into binary: String, identity: [String],
                 _ build: (_ output: String, _ extraEnvironment: [String: String]) throws -> Void) throws {
        // A cache that cannot be written only costs the no-op: build into scratch.
        guard let cache, let kept = try? cache.outputDirectory(for: identity),
              let lock = try? cache.lockOutput(kept) else {
            try build(binary, [:])
            return
        }
        defer { withExtendedLifetime(lock) {} }
        let output = kept + "/" + (binary.split(separator: "/").last.map(String.init) ?? "app")
        // Go moves its output into place with a rename when its work
        // directory is on the same file system, so the kept file is replaced,
        // never rewritten, and a hard link of it stays intact.
        var extra: [String: String] = [:]
        if environment["GOTMPDIR"] == nil, let temporary = try? cache.temporaryDirectory() {
            extra["GOTMPDIR"] = temporary
        }
        try build(output, extra)
        try LayerCache.placeOutput(output, at: binary, linkAllowed: extra["GOTMPDIR"] != nil)
    }
}
