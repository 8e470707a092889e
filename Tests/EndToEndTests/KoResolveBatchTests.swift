import Foundation
import Testing
import TestSupport

/// `ko resolve` of several programs, which compiles them with one `go build`:
/// a broken one among them, and `-j` bounding that `go build`.
@Suite(.serialized)
struct KoResolveBatchTests {
    static let module = GoModuleFixture.modulePath

    /// A module with greeter plus `hello` (fine) and `broken` (does not
    /// compile), and a YAML file that names all three.
    private func workspace() throws -> (module: GoModuleFixture, yaml: String) {
        let module = try GoModuleFixture()
        try module.directory.write("cmd/hello/main.go", "package main\n\nfunc main() { println(\"hello\") }\n")
        try module.directory.write("cmd/broken/main.go", "package main\n\nfunc main() { undefinedThing() }\n")
        let yaml = ["greeter", "hello", "broken"].map { name in
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name)}\n"
                + "spec: {containers: [{name: app, image: ko://\(Self.module)/cmd/\(name)}]}\n"
        }.joined(separator: "---\n")
        return (module, try module.directory.write("deploy.yaml", yaml))
    }

    @Test func aBrokenProgramAmongSeveralGivesGoMessagesOnceAndOneErrorLine() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let (module, yaml) = try workspace()
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/r", base: base)
        let result = try ProcessRunner.run(Products.ko, ["resolve", "-f", yaml], environment: env,
                                           directory: module.root)

        #expect(result.status == 1)
        #expect(result.output.isEmpty, "no YAML is printed when a program fails: \(result.output)")
        let lines = result.errorOutput.split(separator: "\n").map(String.init)
        // go's own diagnostics, once (not again for the one-by-one retry)...
        #expect(lines.filter { $0.contains("undefined: undefinedThing") }.count == 2,
                "go's message above and in the error line:\n\(result.errorOutput)")
        #expect(lines.filter { $0.hasPrefix("# \(Self.module)/cmd/broken") }.count == 1, "\(result.errorOutput)")
        // ...one "Building" line per program, and one error line, last.
        for name in ["greeter", "hello", "broken"] {
            #expect(lines.filter { $0.hasPrefix("Building \(Self.module)/cmd/\(name) ") }.count == 1,
                    "\(name):\n\(result.errorOutput)")
        }
        let errors = lines.filter { $0.hasPrefix("Error: ") }
        #expect(errors == [lines.last ?? ""])
        #expect(errors.first?.hasPrefix("Error: go build of \(Self.module)/cmd/broken failed (go's messages above): "
            + "cmd/broken/main.go:3:15: undefined: undefinedThing") == true, "\(errors)")

        // Nothing was published for the broken program.
        let catalog = try ProcessRunner.check("curl", ["-sf", "http://\(registry.host)/v2/_catalog"]).output
        #expect(!catalog.contains("broken"), "\(catalog)")
    }

    @Test func jobsBoundsTheGoBuildOfManyPrograms() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let (module, yaml) = try workspace()
        try module.directory.write("cmd/broken/main.go", "package main\n\nfunc main() {}\n")
        // The real go, behind a wrapper that records how it was called.
        let tools = try TemporaryDirectory("ko-gowrap")
        let realGo = try ProcessRunner.resolve("go")
        try tools.write("go", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '\(tools.path)/calls'\nexec '\(realGo)' \"$@\"\n",
                        mode: 0o755)
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/r", base: base)
        env["PATH"] = tools.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")

        let result = try ProcessRunner.run(Products.ko, ["resolve", "-j", "1", "-f", yaml], environment: env,
                                           directory: module.root)
        try #require(result.status == 0, "ko resolve failed: \(result.errorOutput)")
        let calls = try String(contentsOfFile: tools.path + "/calls", encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("build ") }
        #expect(calls.count == 1, "one go build for the three programs: \(calls)")
        #expect(calls.first.map { $0.contains(" -p 1 ") } == true, "\(calls)")
    }
}
