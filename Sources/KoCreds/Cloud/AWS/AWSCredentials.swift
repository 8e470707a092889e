import Foundation

/// An AWS access key, possibly temporary.
struct AWSCredentials: Sendable, Equatable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    /// When temporary credentials stop working.
    var expiration: Date?

    /// The values that must never reach a log or an error message.
    var secrets: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }
}
