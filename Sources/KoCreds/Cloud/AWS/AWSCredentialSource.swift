import Foundation

/// Where AWS credentials come from, found without contacting anything.
///
/// The chain follows the AWS SDKs' order, without the container and
/// instance-metadata steps (ko never contacts a metadata address):
/// 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
/// 2. the profile named by `AWS_PROFILE` in the shared files;
/// 3. `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`;
/// 4. the `default` profile.
/// A profile gives static keys, `credential_process`, or `role_arn` with
/// `web_identity_token_file`.
enum AWSCredentialSource: Equatable {
    case keys(AWSCredentials, label: String)
    case process(command: String, label: String)
    case webIdentity(roleARN: String, tokenFile: String, sessionName: String, label: String)

    /// Where the credentials were found, for messages (never a secret).
    var label: String {
        switch self {
        case let .keys(_, label), let .process(_, label), let .webIdentity(_, _, _, label): return label
        }
    }

    /// The first source the environment configures, nil when none does.
    static func find(in environment: CloudEnvironment, registry: String) throws -> AWSCredentialSource? {
        if let keyID = environment["AWS_ACCESS_KEY_ID"] {
            guard let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
                throw CloudCredentialError.invalidConfiguration(
                    provider: "AWS", registry: registry,
                    reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both")
            }
            let credentials = AWSCredentials(accessKeyID: keyID, secretAccessKey: secret,
                                             sessionToken: environment["AWS_SESSION_TOKEN"])
            return .keys(credentials, label: "AWS_ACCESS_KEY_ID")
        }

        let config = AWSSharedConfig(environment: environment)
        if let name = environment["AWS_PROFILE"] {
            guard let profile = config.profile(name) else {
                let files = config.files.isEmpty
                    ? "no shared config file exists" : config.files.joined(separator: ", ")
                throw CloudCredentialError.invalidConfiguration(
                    provider: "AWS", registry: registry,
                    reason: "AWS_PROFILE names profile '\(name)', which is not in \(files)")
            }
            if let source = try profileSource(profile, name: name, environment: environment, registry: registry) {
                return source
            }
            throw CloudCredentialError.invalidConfiguration(
                provider: "AWS", registry: registry,
                reason: "profile '\(name)' has no aws_access_key_id, credential_process or "
                    + "role_arn with web_identity_token_file")
        }

        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = environment["AWS_ROLE_ARN"] {
            return .webIdentity(roleARN: role, tokenFile: tokenFile,
                                sessionName: environment["AWS_ROLE_SESSION_NAME"] ?? defaultSessionName(),
                                label: "AWS_WEB_IDENTITY_TOKEN_FILE")
        }

        if let profile = config.profile("default") {
            return try profileSource(profile, name: "default", environment: environment, registry: registry)
        }
        return nil
    }

    private static func profileSource(_ profile: [String: String], name: String, environment: CloudEnvironment,
                                      registry: String) throws -> AWSCredentialSource? {
        let label = "profile '\(name)'"
        if let keyID = profile["aws_access_key_id"], !keyID.isEmpty {
            guard let secret = profile["aws_secret_access_key"], !secret.isEmpty else {
                throw CloudCredentialError.invalidConfiguration(
                    provider: "AWS", registry: registry,
                    reason: "\(label) has aws_access_key_id but no aws_secret_access_key")
            }
            let token = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
            return .keys(AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token),
                         label: label)
        }
        if let role = profile["role_arn"], !role.isEmpty {
            guard let tokenFile = profile["web_identity_token_file"], !tokenFile.isEmpty else {
                throw CloudCredentialError.invalidConfiguration(
                    provider: "AWS", registry: registry,
                    reason: "\(label) assumes \(role) through source_profile or credential_source, which ko "
                        + "does not support; use web_identity_token_file, credential_process or access keys")
            }
            return .webIdentity(roleARN: role, tokenFile: tokenFile,
                                sessionName: profile["role_session_name"] ?? defaultSessionName(), label: label)
        }
        if let command = profile["credential_process"], !command.isEmpty {
            return .process(command: command, label: label)
        }
        if profile["sso_session"] != nil || profile["sso_start_url"] != nil {
            throw CloudCredentialError.invalidConfiguration(
                provider: "AWS", registry: registry,
                reason: "\(label) uses IAM Identity Center (SSO), which ko does not support; "
                    + "export keys with 'aws configure export-credentials --format env'")
        }
        return nil
    }

    private static func defaultSessionName() -> String {
        "ko-\(Int(Date().timeIntervalSince1970))"
    }
}
