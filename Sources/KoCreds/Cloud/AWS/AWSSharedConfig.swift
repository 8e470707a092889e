/// The AWS shared configuration and credentials files
/// (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html):
/// INI sections `[name]` in the credentials file and `[profile name]` (or
/// `[default]`) in the config file, `key = value` lines, `#`/`;` comments.
struct AWSSharedConfig {
    /// Keys of each profile, credentials-file values winning over config-file ones.
    private(set) var profiles: [String: [String: String]] = [:]
    /// The files that were read, for messages.
    private(set) var files: [String] = []

    init(environment: CloudEnvironment) {
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? "~/.aws/config"
        if let text = try? environment.readFile(configPath) {
            files.append(configPath)
            merge(Self.parse(text), isConfigFile: true)
        }
        if let text = try? environment.readFile(credentialsPath) {
            files.append(credentialsPath)
            merge(Self.parse(text), isConfigFile: false)
        }
    }

    init(configText: String, credentialsText: String) {
        merge(Self.parse(configText), isConfigFile: true)
        merge(Self.parse(credentialsText), isConfigFile: false)
    }

    /// The profile's keys (lowercased), or nil when no file names it.
    func profile(_ name: String) -> [String: String]? { profiles[name] }

    private mutating func merge(_ sections: [String: [String: String]], isConfigFile: Bool) {
        for (section, keys) in sections {
            var name = section
            if isConfigFile {
                if section.hasPrefix("profile ") {
                    name = String(section.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                } else if section != "default" {
                    continue // sso-session, services: not profiles
                }
            }
            profiles[name, default: [:]].merge(keys) { _, new in new }
        }
    }

    /// Sections and their keys; indented continuation lines (nested
    /// sub-settings) are skipped.
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let section = current, !indented, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: " ;") {
                value = String(value[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            sections[section, default: [:]][key] = value
        }
        return sections
    }
}

import Foundation
