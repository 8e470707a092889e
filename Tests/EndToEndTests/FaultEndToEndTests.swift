import Foundation
import Testing
import TestSupport

/// `ko build` through a fault-injecting proxy in front of a real token-auth
/// registry and its token server: every step of the pipeline (ping, token,
/// base manifest and config, blob HEAD, mount, upload session, PATCH, PUT, tag
/// lookup, manifest PUT) fails once and the build still pushes an image that
/// runs; a registry that keeps failing ends the build with one line naming the
/// step and the attempts, and no tag.
@Suite(.serialized)
struct FaultEndToEndTests {
    let registry: RegistryFixture
    let proxy: FaultProxy
    let dockerConfig: DockerConfigDirectory
    let module: GoModuleFixture
    let base: String

    init() throws {
        registry = try RegistryFixture.start(auth: .token(), faultyTokenServer: true)
        proxy = try FaultProxy(upstreamPort: registry.port)
        dockerConfig = try DockerConfigDirectory()
        let username = try #require(registry.username)
        let password = try #require(registry.password)
        // The same account under both names: ko talks to the proxy, skopeo to the registry.
        try dockerConfig.writeAuths([registry.host: (username, password), proxy.host: (username, password)])
        let seeded = try BaseImages.seed(host: registry.host, authFile: dockerConfig.configFile)
        base = seeded.replacingOccurrences(of: registry.host, with: proxy.host)
        module = try GoModuleFixture()
    }

    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["KO_DOCKER_REPO", "KO_DEFAULTBASEIMAGE", "KO_CONFIG_PATH", "GOOS", "GOARCH",
                    "KO_RETRY_BUDGET", "KO_RETRY_ATTEMPTS", "KO_HTTP_STALL_TIMEOUT"] {
            env.removeValue(forKey: key)
        }
        env["DOCKER_CONFIG"] = dockerConfig.path
        // A cache of its own: base manifests and configs cached by another
        // test would spare the GETs whose faults this suite injects.
        env["KOCACHE"] = dockerConfig.path + "/kocache"
        env["KO_DOCKER_REPO"] = "\(proxy.host)/apps"
        env["KO_DEFAULTBASEIMAGE"] = base
        for (key, value) in extra { env[key] = value }
        return env
    }

    @Test func buildSurvivesAFaultAtEveryPipelineStep() throws {
        let tokenProxy = try #require(registry.tokenProxy)
        let blob = #"/blobs/sha256:[0-9a-f]{64}$"#
        let rules: [FaultProxy.Rule] = [
            // The ping is a HEAD; the base's tag is resolved with a HEAD and
            // its manifest fetched by digest (then cached by digest).
            .init(method: "HEAD", path: "^/v2/$", action: .status(503)),
            .init(method: "GET", path: "/manifests/sha256:", action: .truncate),
            .init(method: "GET", path: blob, action: .resetResponse(after: 10)),
            .init(method: "HEAD", path: blob, action: .status(500)),
            .init(method: "POST", path: "mount=", action: .status(502)),
            .init(method: "POST", path: "/blobs/uploads/$", action: .status(503)),
            .init(method: "PATCH", path: "/blobs/uploads/", action: .resetRequest(after: 50_000)),
            .init(method: "PUT", path: "/blobs/uploads/.*digest=", action: .status(500, forward: true)),
            .init(method: "HEAD", path: "/manifests/", action: .status(429, headers: [("Retry-After", "1")])),
            .init(method: "PUT", path: "/manifests/", action: .status(503, forward: true)),
        ]
        try proxy.plan(rules)
        try tokenProxy.plan([
            .init(path: "^/token", action: .status(503)),
            .init(path: "^/token", action: .stall(seconds: 20)),
        ])
        let env = environment(["KO_RETRY_ATTEMPTS": "10", "KO_HTTP_STALL_TIMEOUT": "2"])
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(result.errorOutput.contains("retrying in"))
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.hasPrefix("\(proxy.host)/apps/greeter-"))

        let injected = try proxy.injectedFaults().count + tokenProxy.injectedFaults().count
        let fired = Set(try proxy.injectedFaults().compactMap(\.fault))
        let unfired = rules.filter { !fired.contains($0.id) }.map { "\($0.method ?? "") \($0.path ?? "")" }
        #expect(unfired.isEmpty, "rules that never fired: \(unfired)")
        #expect(injected == rules.count + 2)
        print("fault-tally: ko build pipeline injected=\(injected) survived=\(result.status == 0 ? injected : 0)")

        // Pulled straight from the registry, the image runs.
        try proxy.plan([])
        try tokenProxy.plan([])
        let direct = reference.replacingOccurrences(of: proxy.host, with: registry.host)
        let outcome = try ImageRunner.run(direct, authFile: dockerConfig.configFile)
        #expect(outcome.status == 0, "image failed: \(outcome.errorOutput)")
        #expect(outcome.output == GoModuleFixture.expectedOutput())
    }

    @Test func aRegistryThatKeepsFailingEndsTheBuildWithOneLineAndNoTag() throws {
        try proxy.plan([.init(method: "PUT", path: "/manifests/", action: .status(503), times: -1)])
        let env = environment(["KO_RETRY_BUDGET": "3", "KO_RETRY_ATTEMPTS": "4"])
        let result = try ProcessRunner.run(Products.ko, ["build", "--bare", "-t", "broken", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        let errorLines = result.errorOutput.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        try #require(errorLines.count == 1, "stderr: \(result.errorOutput)")
        let line = String(errorLines[0])
        #expect(line.contains("gave up trying to store manifest \(proxy.host)/apps:broken"))
        #expect(line.contains("attempts"))
        #expect(line.contains("503"))
        #expect(line.contains("KO_RETRY_BUDGET"))

        try proxy.plan([])
        let inspect = try ProcessRunner.run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--authfile",
                                                       dockerConfig.configFile,
                                                       "docker://\(registry.host)/apps:broken"])
        #expect(inspect.status != 0, "the tag must not exist: \(inspect.output)")
        #expect(inspect.errorOutput.contains("manifest unknown"))
    }
}
