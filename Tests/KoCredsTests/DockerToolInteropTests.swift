import Foundation
import Testing
import TestSupport
@testable import KoCreds
@testable import KoKeyring

/// The real Docker CLI and skopeo using `docker-credential-ko` as their
/// credential helper, against a real registry with basic auth.
struct DockerToolInteropTests {
    @Test func dockerLoginAndLogoutGoThroughOurHelper() throws {
        let registry = try DockerLoginRegistry()
        let session = try KeyringSession()
        let docker = try TemporaryDirectory("ko-docker-cli")
        try docker.write("config.json", #"{"credsStore":"ko","psFormat":"table {{.ID}}"}"#, mode: 0o600)
        let environment = session.environment(extraPath: [Products.binDirectory], adding: [
            "DOCKER_CONFIG": docker.path, "DOCKER_HOST": "unix:///nonexistent",
        ])
        let helper = Products.credentialHelper

        let login = try ProcessRunner.run("docker",
                                          ["login", registry.host, "-u", registry.username, "--password-stdin"],
                                          input: Array(registry.password.utf8), environment: environment)
        #expect(login.status == 0, "docker login: \(login.output) \(login.errorOutput) \(registry.logTail())")
        #expect(login.output.contains("Login Succeeded"))
        #expect(!login.output.contains(registry.password) && !login.errorOutput.contains(registry.password))

        let config = try String(contentsOfFile: docker.path + "/config.json", encoding: .utf8)
        #expect(!config.contains(registry.password))
        let parsed = try DockerConfigFile(path: "config.json", bytes: Array(config.utf8))
        #expect(try parsed.credentialsStore() == "ko")
        #expect(try parsed.authEntry(forKey: registry.host)?.hasCredential == false)

        let listed = try ProcessRunner.run(helper, ["list"], environment: environment)
        #expect(listed.output == #"{"\#(registry.host)":"\#(registry.username)"}"# + "\n")
        let got = try ProcessRunner.run(helper, ["get"], input: Array(registry.host.utf8), environment: environment)
        let answer = try CredentialHelperProtocol.parseCredentials(got.standardOutput)
        #expect(answer.username == registry.username && answer.secret == registry.password)

        // ko's resolver finds the login through config.json → credsStore "ko" (the keyring reached
        // through the built helper: this test process is bound to another bus).
        let keyring = CredentialHelperProgram(name: "ko", environment: environment)
        let resolver = try DockerCredentialResolver(configPath: docker.path + "/config.json", environment: environment,
                                                    keyring: keyring)
        #expect(try resolver.credential(forRegistry: registry.host)
            == Credential(username: registry.username, secret: registry.password))

        let logout = try ProcessRunner.run("docker", ["logout", registry.host], environment: environment)
        #expect(logout.status == 0 && logout.output.contains("Removing login credentials for \(registry.host)"))
        #expect(try ProcessRunner.run(helper, ["list"], environment: environment).output == "{}\n")
        let after = try ProcessRunner.run(helper, ["get"], input: Array(registry.host.utf8), environment: environment)
        #expect(after.status == 1 && after.output == "credentials not found in native keychain\n")
    }

    @Test func skopeoReadsAPrivateImageThroughCredHelpers() throws {
        let registry = try DockerLoginRegistry()
        let session = try KeyringSession()
        let files = try TemporaryDirectory("ko-skopeo")
        let basic = Data("\(registry.username):\(registry.password)".utf8).base64EncodedString()
        let plain = try files.write("push-auth.json", #"{"auths":{"\#(registry.host)":{"auth":"\#(basic)"}}}"#,
                                    mode: 0o600)
        let reference = try BaseImages.seed(host: registry.host, repository: "private/tiny", authFile: plain)

        let helpers = try files.write("helpers.json", #"{"credHelpers":{"\#(registry.host)":"ko"}}"#, mode: 0o600)
        let environment = session.environment(extraPath: [Products.binDirectory])
        let inspect = ["inspect", "--tls-verify=false", "--authfile", helpers, "docker://\(reference)"]

        // Nothing stored yet: the helper answers "not found" and the registry refuses.
        let refused = try ProcessRunner.run("skopeo", inspect, environment: environment)
        #expect(refused.status != 0 && refused.errorOutput.contains("unauthorized"))

        let request = CredentialHelperProtocol.credentialsJSON(
            server: registry.host, credential: Credential(username: registry.username, secret: registry.password))
        try ProcessRunner.check(Products.credentialHelper, ["store"], input: Array(request.utf8),
                                environment: environment)

        let inspected = try ProcessRunner.run("skopeo", inspect, environment: environment)
        #expect(inspected.status == 0, "skopeo: \(inspected.errorOutput)")
        #expect(inspected.output.contains(#""Name": "\#(registry.host)/private/tiny""#))
        #expect(!inspected.output.contains(registry.password) && !inspected.errorOutput.contains(registry.password))
    }
}
