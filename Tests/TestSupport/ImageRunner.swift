import Foundation

/// Runs a pushed image the way the brief says to without a Docker engine:
/// skopeo pulls it into an OCI layout, umoci unpacks it into a bundle, and
/// the bundle's entrypoint runs under chroot with the image's environment.
public enum ImageRunner {
    /// What the image printed and how it exited.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
        public var errorOutput: String
        /// The OCI runtime config umoci wrote (process args, env, user).
        public var runtimeConfig: [String: Any]
    }

    /// skopeo refuses `repo:tag@digest`; the digest alone names the same image.
    public static func digestOnly(_ reference: String) -> String {
        guard let at = reference.firstIndex(of: "@") else { return reference }
        let name = reference[..<at]
        let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
        guard let colon = name[lastSlash...].lastIndex(of: ":") else { return reference }
        return String(name[..<colon]) + String(reference[at...])
    }

    /// Pulls `reference` with credentials from `authFile` (a config.json;
    /// never a password on a command line) and runs its entrypoint.
    public static func run(_ reference: String, authFile: String?) throws -> Outcome {
        var options = ["--src-tls-verify=false"]
        if let authFile { options += ["--authfile", authFile] }
        return try run(source: "docker://\(digestOnly(reference))", sourceOptions: options)
    }

    /// Copies the image at `source` (a skopeo source, e.g.
    /// `docker-archive:FILE`) with `skopeo copy OPTIONS` and runs its entrypoint.
    public static func run(source: String, sourceOptions: [String] = []) throws -> Outcome {
        let work = try TemporaryDirectory("ko-run")
        try ProcessRunner.check("skopeo", ["copy", "--quiet"] + sourceOptions
                                    + [source, "oci:\(work.path)/layout:image"])
        try ProcessRunner.check("umoci", ["unpack", "--image", "\(work.path)/layout:image", "\(work.path)/bundle"])

        let configData = try Data(contentsOf: URL(fileURLWithPath: "\(work.path)/bundle/config.json"))
        guard let config = try JSONSerialization.jsonObject(with: configData) as? [String: Any],
              let process = config["process"] as? [String: Any],
              let args = process["args"] as? [String], !args.isEmpty else {
            throw TestSupportError("umoci wrote no process.args for \(source)")
        }
        let env = process["env"] as? [String] ?? []
        let user = process["user"] as? [String: Any]
        let uid = user?["uid"] as? Int ?? 0
        let gid = user?["gid"] as? Int ?? 0
        let cwd = process["cwd"] as? String ?? "/"
        // chroot(8) cannot change directory inside the new root, so a few
        // lines of Python do what a runtime does: chroot, chdir, drop to the
        // image's user, exec the entrypoint with exactly the image's env.
        let launcher = """
            import os, sys
            root, cwd, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            count = int(sys.argv[5])
            env = dict(e.split("=", 1) for e in sys.argv[6:6 + count])
            args = sys.argv[6 + count:]
            os.chroot(root); os.chdir(cwd); os.setgroups([]); os.setgid(gid); os.setuid(uid)
            os.execve(args[0], args, env)
            """
        let result = try ProcessRunner.run("python3", ["-c", launcher, "\(work.path)/bundle/rootfs", cwd,
                                                       String(uid), String(gid), String(env.count)] + env + args)
        return Outcome(status: result.status, output: result.output, errorOutput: result.errorOutput,
                       runtimeConfig: config)
    }
}
