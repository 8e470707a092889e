import Foundation
import Testing
import TestSupport

/// `docker-credential-ko` run as Docker runs it, with fuzzed stdin for each
/// action, against a private keyring: every run exits 0 or 1 (never by a
/// signal), prints at most one line on stdout (the protocol's error or
/// answer) and nothing on stderr, and the keyring holds only what a store
/// reported storing.
///
/// Prints `fuzz-tally: docker-credential-ko processes inputs=N`.
struct FuzzHelperProcessTests {
    @Test func helperProcessesAnswerFuzzedStdinInOneLine() throws {
        let session = try KeyringSession()
        let environment = session.environment()
        var inputs = FaultyInputs(seeds: [
            #"{"ServerURL":"https://fuzz.example:5000","Username":"user","Secret":"s3cr3t"}"#,
            #"{"serverurl":"fuzz.example","username":"u","secret":"\u00e9\n"}"#,
            "https://fuzz.example:5000", "fuzz.example\n", "",
        ], seed: 51)
        let count = FaultyInputs.count(60)
        var stored: Set<String> = []
        for _ in 0..<count {
            let input = inputs.next()
            let number = inputs.produced
            for action in ["store", "get", "erase"] {
                let result = try ProcessRunner.run(Products.credentialHelper, [action], input: input,
                                                   environment: environment)
                #expect(result.status == 0 || result.status == 1,
                        "input #\(number) \(action): exit \(result.status) \(result.errorOutput)")
                #expect(result.standardError.isEmpty, "input #\(number) \(action): stderr \(result.errorOutput)")
                let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.count <= 2 && (lines.count < 2 || lines[1].isEmpty),
                        "input #\(number) \(action): stdout is not one line: \(result.output.debugDescription)")
                if action == "store", result.status == 0,
                   let object = try? JSONSerialization.jsonObject(with: Data(input)) as? [String: Any] {
                    for case let value as String in object.values {
                        stored.insert(value.trimmingCharacters(in: .whitespacesAndNewlines))
                    }
                }
            }
        }
        // Only servers that a store reported storing are in the keyring.
        let left = Set(try session.dockerItems().compactMap { $0["attribute.server"] })
        #expect(left.isSubset(of: stored), "unexpected entries: \(left.subtracting(stored))")
        #expect(!stored.isEmpty, "some fuzzed inputs must be valid stores")
        print("fuzz-tally: docker-credential-ko processes inputs=\(count * 3)")
    }
}
