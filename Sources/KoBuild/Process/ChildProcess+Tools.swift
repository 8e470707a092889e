import KoProcess

extension ChildProcess {
    /// Runs the tool `name` (a path, or a name looked up on the environment's
    /// PATH) with `arguments`, and waits for it however long it takes.
    ///
    /// The environment is given whole so that tests and builds say exactly
    /// what the child sees. Secrets are never passed as arguments: a caller
    /// that must hand one over writes it to `input`.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String],
                           directory: String? = nil, input: [UInt8]? = nil) throws -> Outcome {
        guard let path = resolve(name, searchPath: environment["PATH"]) else {
            throw BuildError.toolNotFound(name)
        }
        let child = ChildProcess(executable: path, arguments: arguments, environment: environment,
                                 directory: directory)
        do {
            return try child.run(input: input ?? [])
        } catch let failure as Failure {
            throw BuildError.toolFailed(name, "\(failure)")
        }
    }
}
