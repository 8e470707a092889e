import Foundation
import Testing
import TestSupport
@testable import KoCreds

/// `docker-credential-ko-cloud`, the mint-only helper docker-credential-ko
/// hands cloud hosts to, run as its own program.
struct CloudHelperProgramTests {
    static var program: String { Products.binDirectory + "/docker-credential-ko-cloud" }

    func run(_ action: String, _ input: String = "", environment extra: [String: String] = [:]) throws
        -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        for name in ["GITHUB_TOKEN", "GITHUB_ACTOR", "AWS_ACCESS_KEY_ID", "GOOGLE_APPLICATION_CREDENTIALS"] {
            environment[name] = nil
        }
        environment.merge(extra) { _, new in new }
        return try ProcessRunner.run(Self.program, [action], input: Array(input.utf8), environment: environment)
    }

    @Test func itMintsFromTheEnvironmentAndKeepsNothing() throws {
        let minted = try run("get", "ghcr.io", environment: ["GITHUB_TOKEN": "ghs-cloud", "GITHUB_ACTOR": "octo"])
        #expect(minted.status == 0)
        #expect(minted.output == #"{"ServerURL":"ghcr.io","Username":"octo","Secret":"ghs-cloud"}"# + "\n")

        let stored = try run("store", #"{"ServerURL":"ghcr.io","Username":"u","Secret":"kept-nowhere"}"#)
        #expect(stored.status == 1)
        #expect(stored.output.contains("keeps no credentials") && !stored.output.contains("kept-nowhere"))
        #expect(try run("list").output == "{}\n")
        #expect(try run("erase", "ghcr.io").status == 0)
    }

    @Test func hostsOfNoCloudAndCloudsWithoutIdentityAreNotFound() throws {
        for host in ["registry.example:5000", "ghcr.io"] {
            let result = try run("get", host)
            #expect(result.status == 1)
            #expect(result.output == "credentials not found in native keychain\n")
        }
    }

    @Test func aFailingExchangeIsReportedThroughTheKeyringHelper() throws {
        // A Google credential file that cannot be read: the cloud helper
        // fails, and docker-credential-ko passes its message on.
        let session = try KeyringSession()
        let missing = "/nonexistent/\(UUID().uuidString).json"
        let result = try ProcessRunner.run(Products.credentialHelper, ["get"], input: Array("gcr.io".utf8),
                                           environment: session.environment(adding: [
                                               "GOOGLE_APPLICATION_CREDENTIALS": missing,
                                           ]))
        #expect(result.status == 1)
        #expect(result.output.contains(missing), "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1)
    }
}
