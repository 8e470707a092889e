import Foundation
import KoProcess

/// Runs a credential command (`credential_process`, a Google executable
/// source, `gcloud`) and collects what it prints.
///
/// Commands from configuration files run through `/bin/sh -c`, as the AWS and
/// Google SDKs do on Unix. Nothing secret is ever added to their command line;
/// what they print on stdout is the credential and is never logged.
struct CloudCommand {
    struct Output {
        var status: Int32
        var stdout: [UInt8]
        /// The first line of stderr, for error messages.
        var stderrLine: String
    }

    enum Failure: Error, CustomStringConvertible {
        case launch(String)
        case timedOut(seconds: Int)

        var description: String {
            switch self {
            case let .launch(reason): return "could not start it: \(reason)"
            case let .timedOut(seconds): return "it did not finish within \(seconds) seconds and was stopped"
            }
        }
    }

    /// Runs `executable` with `arguments` and `environment`, waiting at most
    /// `timeout` seconds; stdout is capped at 1 MiB.
    static func run(executable: String, arguments: [String], environment: [String: String],
                    timeout: TimeInterval) throws -> Output {
        let child = ChildProcess(executable: executable, arguments: arguments, environment: environment)
        let outcome: ChildProcess.Outcome
        do {
            outcome = try child.run(timeout: timeout, outputLimit: 1 << 20)
        } catch ChildProcess.Failure.timedOut {
            throw Failure.timedOut(seconds: Int(timeout))
        } catch ChildProcess.Failure.spawn(let reason) {
            throw Failure.launch(reason)
        }
        let firstLine = String(decoding: outcome.standardError.prefix(2048), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return Output(status: outcome.status, stdout: outcome.standardOutput,
                      stderrLine: CloudExchange.oneLine(firstLine, limit: 200))
    }

    /// Runs a command line from a configuration file through `/bin/sh -c`.
    static func runShell(_ command: String, environment: [String: String],
                         timeout: TimeInterval) throws -> Output {
        try run(executable: "/bin/sh", arguments: ["-c", command], environment: environment, timeout: timeout)
    }

    /// The first executable named `name` on the environment's PATH; none
    /// without a PATH.
    static func find(_ name: String, path: String?) -> String? {
        path.flatMap { ChildProcess.resolve(name, searchPath: $0) }
    }
}
