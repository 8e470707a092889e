#if canImport(Glibc)
import Glibc
#endif
import KoKeyring
import KoProcess

/// Hands a cloud registry host to `docker-credential-ko-cloud get`, which
/// mints a token from the environment's cloud identity.
///
/// Only hosts `CloudRegistry` recognizes are handed over, so a lookup of any
/// other registry never starts a second process. The cloud helper is looked
/// for beside this executable, then on PATH; without it, cloud hosts get no
/// token. It inherits our environment (its identity variables) and gets the
/// host on stdin, never as an argument.
struct CloudHandOff: CredentialExchange {
    static let programName = "docker-credential-ko-cloud"

    /// Seconds the cloud helper may take (it talks to token endpoints).
    var timeout: Double = 120

    /// A failure of the cloud helper, worded with its own first line.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func credential(forRegistry host: String) throws -> Credential? {
        guard CloudRegistry.classify(host) != nil, let executable = CloudHandOff.locate() else { return nil }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess(executable: executable, arguments: ["get"])
                .run(input: Array(host.utf8), timeout: timeout, outputLimit: 1 << 20)
        } catch ChildProcess.Failure.timedOut {
            throw Failure(description: "\(CloudHandOff.programName) did not answer within \(Int(timeout))s")
        } catch ChildProcess.Failure.spawn(let reason) {
            throw Failure(description: "cannot run \(executable): \(reason)")
        }
        let answer = String(decoding: outcome.standardOutput, as: UTF8.self)
        let firstLine = answer.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard outcome.status == 0 else {
            if firstLine == CredentialHelperProtocol.notFoundMessage { return nil }
            throw Failure(description: firstLine.isEmpty ? "\(CloudHandOff.programName) failed" : firstLine)
        }
        guard let parsed = try? CredentialHelperProtocol.parseCredentials(outcome.standardOutput) else {
            throw Failure(description: "\(CloudHandOff.programName) gave an unreadable answer")
        }
        return Credential(username: parsed.username, secret: parsed.secret)
    }

    /// The cloud helper beside this executable, else on PATH.
    static func locate() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = path.lastIndex(of: "/") {
                let sibling = String(path[..<slash]) + "/" + programName
                if access(sibling, X_OK) == 0 { return sibling }
            }
        }
        return ChildProcess.resolve(programName, searchPath: ProcessEnvironment.value("PATH"))
    }
}
