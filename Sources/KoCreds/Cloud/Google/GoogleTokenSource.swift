import Foundation

/// Where a Google access token comes from, in the order of Application
/// Default Credentials (https://google.aip.dev/auth/4110), then gcloud:
/// 1. the file named by `GOOGLE_APPLICATION_CREDENTIALS`;
/// 2. gcloud's well-known file, `$CLOUDSDK_CONFIG/application_default_credentials.json`
///    (default `~/.config/gcloud/...`);
/// 3. the metadata server, only when `GCE_METADATA_HOST` names it or this
///    machine says it is a Compute Engine VM, and never when `NO_GCE_CHECK`
///    is true;
/// 4. `gcloud config config-helper --format=json`, when gcloud is on PATH.
enum GoogleTokenSource: Equatable {
    case file(GoogleCredentialFile, path: String, contents: String)
    case metadataServer(host: String)
    case gcloud(executable: String)

    static func find(in environment: CloudEnvironment, registry: String) throws -> GoogleTokenSource? {
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"] {
            return try load(path, environment: environment, registry: registry,
                            named: "GOOGLE_APPLICATION_CREDENTIALS")
        }
        let configDirectory = environment["CLOUDSDK_CONFIG"] ?? environment.home.map { $0 + "/.config/gcloud" }
        if let configDirectory {
            let wellKnown = configDirectory + "/application_default_credentials.json"
            if environment.fileExists(wellKnown) {
                return try load(wellKnown, environment: environment, registry: registry, named: "gcloud's ADC file")
            }
        }
        if let host = metadataHost(environment) {
            return .metadataServer(host: host)
        }
        if let gcloud = CloudCommand.find("gcloud", path: environment["PATH"]) {
            return .gcloud(executable: gcloud)
        }
        return nil
    }

    /// The metadata server to ask, or nil when this is not a Compute Engine
    /// VM. A VM is recognized by its DMI product name, a local file read
    /// that never touches the network.
    static func metadataHost(_ environment: CloudEnvironment) -> String? {
        if environment.isTrue("NO_GCE_CHECK") { return nil }
        if let host = environment["GCE_METADATA_HOST"] { return host }
        guard let path = environment.gceProductNamePath,
              let product = try? environment.readFile(path), product.contains("Google") else { return nil }
        return "metadata.google.internal"
    }

    private static func load(_ path: String, environment: CloudEnvironment, registry: String,
                             named: String) throws -> GoogleTokenSource {
        let contents: String
        do {
            contents = try environment.readFile(path)
        } catch {
            throw CloudCredentialError.invalidConfiguration(
                provider: "Google", registry: registry,
                reason: "cannot read \(path) (\(named)): \(error.localizedDescription)")
        }
        do {
            return .file(try GoogleCredentialFile.parse(contents), path: path, contents: contents)
        } catch {
            throw CloudCredentialError.invalidConfiguration(
                provider: "Google", registry: registry, reason: "\(path) (\(named)) is not usable: \(error)")
        }
    }

    /// What identifies the source in the token cache key.
    var cacheIdentity: [String] {
        switch self {
        case let .file(_, path, contents): return ["adc-file", path, contents]
        case let .metadataServer(host): return ["metadata", host]
        case let .gcloud(executable): return ["gcloud", executable]
        }
    }
}
