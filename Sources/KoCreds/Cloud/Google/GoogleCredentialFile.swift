import Foundation

/// An Application Default Credentials file
/// (https://google.aip.dev/auth/4110): what `gcloud auth
/// application-default login` writes, a service-account key, a workload
/// identity federation configuration, or an impersonation of one of them.
indirect enum GoogleCredentialFile: Equatable {
    case serviceAccount(clientEmail: String, privateKey: String, privateKeyID: String?, tokenURI: String)
    case authorizedUser(clientID: String, clientSecret: String, refreshToken: String, tokenURI: String)
    case externalAccount(GoogleExternalAccount)
    case impersonatedServiceAccount(source: GoogleCredentialFile, impersonationURL: String, delegates: [String])

    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Parses the JSON text of a credential file; the error says which field
    /// is missing, never a value.
    static func parse(_ text: String) throws -> GoogleCredentialFile {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ParseError("it is not a JSON object")
        }
        return try parse(object)
    }

    static func parse(_ object: [String: Any]) throws -> GoogleCredentialFile {
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw ParseError("the \"\(name)\" field is missing")
            }
            return value
        }
        let type = try field("type")
        switch type {
        case "service_account":
            return .serviceAccount(clientEmail: try field("client_email"), privateKey: try field("private_key"),
                                   privateKeyID: object["private_key_id"] as? String,
                                   tokenURI: object["token_uri"] as? String ?? defaultTokenURI)
        case "authorized_user":
            return .authorizedUser(clientID: try field("client_id"), clientSecret: try field("client_secret"),
                                   refreshToken: try field("refresh_token"),
                                   tokenURI: object["token_uri"] as? String ?? defaultTokenURI)
        case "external_account":
            return .externalAccount(try GoogleExternalAccount(object))
        case "impersonated_service_account":
            guard let source = object["source_credentials"] as? [String: Any] else {
                throw ParseError("the \"source_credentials\" field is missing")
            }
            return .impersonatedServiceAccount(source: try parse(source),
                                               impersonationURL: try field("service_account_impersonation_url"),
                                               delegates: object["delegates"] as? [String] ?? [])
        default:
            throw ParseError("its type \"\(type)\" is not service_account, authorized_user, external_account "
                + "or impersonated_service_account")
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// A workload identity federation configuration (`external_account`,
/// https://google.aip.dev/auth/4117), with a file or executable source.
struct GoogleExternalAccount: Equatable {
    enum SubjectSource: Equatable {
        /// A file holding the token, as text or inside JSON at `field`.
        case file(path: String, jsonField: String?)
        /// A command printing the executable-source JSON (https://google.aip.dev/auth/4117).
        case executable(command: String, timeoutMillis: Int, outputFile: String?)
    }

    var audience: String
    var subjectTokenType: String
    var tokenURL: String
    var source: SubjectSource
    var impersonationURL: String?
    var impersonationLifetime: Int
    var clientID: String?
    var clientSecret: String?
    var workforcePoolUserProject: String?

    init(_ object: [String: Any]) throws {
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw GoogleCredentialFile.ParseError("the \"\(name)\" field is missing")
            }
            return value
        }
        audience = try field("audience")
        subjectTokenType = try field("subject_token_type")
        tokenURL = object["token_url"] as? String ?? "https://sts.googleapis.com/v1/token"
        impersonationURL = object["service_account_impersonation_url"] as? String
        let impersonation = object["service_account_impersonation"] as? [String: Any]
        impersonationLifetime = impersonation?["token_lifetime_seconds"] as? Int ?? 3600
        clientID = object["client_id"] as? String
        clientSecret = object["client_secret"] as? String
        workforcePoolUserProject = object["workforce_pool_user_project"] as? String

        guard let credentialSource = object["credential_source"] as? [String: Any] else {
            throw GoogleCredentialFile.ParseError("the \"credential_source\" field is missing")
        }
        if let path = credentialSource["file"] as? String {
            let format = credentialSource["format"] as? [String: Any]
            if (format?["type"] as? String) == "json" {
                guard let name = format?["subject_token_field_name"] as? String else {
                    throw GoogleCredentialFile.ParseError(
                        "a json credential_source.format needs subject_token_field_name")
                }
                source = .file(path: path, jsonField: name)
            } else {
                source = .file(path: path, jsonField: nil)
            }
        } else if let executable = credentialSource["executable"] as? [String: Any],
                  let command = executable["command"] as? String, !command.isEmpty {
            source = .executable(command: command, timeoutMillis: executable["timeout_millis"] as? Int ?? 30_000,
                                 outputFile: executable["output_file"] as? String)
        } else {
            let kind = credentialSource.keys.sorted().joined(separator: ", ")
            throw GoogleCredentialFile.ParseError("its credential_source (\(kind)) is neither a file nor an "
                + "executable, the two sources ko supports")
        }
    }
}
