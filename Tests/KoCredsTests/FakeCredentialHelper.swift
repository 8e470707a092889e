import Foundation
import TestSupport

/// A `docker-credential-<name>` shell script in its own directory that records
/// how it was called (arguments, environment, stdin) and answers `get` from
/// a fixed reply.
final class FakeCredentialHelper {
    let name: String
    let directory: TemporaryDirectory
    var searchPath: String { directory.path }

    /// `getReply` is printed for `get` (exit 0); nil answers "not found".
    /// `body` replaces the whole behaviour when given.
    init(name: String, getReply: String? = nil, body: String? = nil) throws {
        self.name = name
        directory = try TemporaryDirectory("ko-fake-helper")
        let answer: String
        if let getReply {
            answer = "printf '%s\\n' '\(getReply)'"
        } else {
            answer = "echo 'credentials not found in native keychain'; exit 1"
        }
        let script = body ?? """
            #!/bin/sh
            log=\(directory.path)/calls
            printf '%s\\n' "$*" >> "$log.argv"
            env >> "$log.env"
            input=$(cat)
            printf '%s %s\\n' "$1" "$input" >> "$log.stdin"
            case "$1" in
            get) \(answer) ;;
            list) echo '{}' ;;
            esac
            exit 0
            """
        try directory.write("docker-credential-\(name)", script, mode: 0o755)
    }

    private func read(_ suffix: String) -> String {
        (try? String(contentsOfFile: directory.path + "/calls." + suffix, encoding: .utf8)) ?? ""
    }

    /// Every call's action and stdin, one line each.
    var inputs: [String] { read("stdin").split(separator: "\n").map(String.init) }
    var arguments: String { read("argv") }
    var environment: String { read("env") }
}
