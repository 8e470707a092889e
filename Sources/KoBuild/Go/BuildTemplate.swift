import Foundation
import KoImage

/// Expands the Go-template fields ko allows in `flags` and `ldflags`:
/// `{{.Env.NAME}}`, `{{.GoEnv.NAME}}`, `{{.Date}}`, `{{.Timestamp}}` and
/// `{{.Git.…}}`. A missing key is an error, as with ko's `missingkey=error`.
///
/// Only field references are supported, not the rest of text/template
/// (conditionals, functions); anything else is reported as unsupported.
public struct BuildTemplate {
    /// The values a template may reference.
    public struct Values {
        public var environment: [String: String]
        /// `go env NAME`, asked lazily: most builds use none.
        public var goEnvironment: (String) throws -> String?
        /// Git facts of the working tree, computed once on first use.
        public var git: () throws -> [String: String]
        /// The build time: SOURCE_DATE_EPOCH when set, else now.
        public var date: Date

        public init(environment: [String: String], goEnvironment: @escaping (String) throws -> String?,
                    git: @escaping () throws -> [String: String], date: Date) {
            self.environment = environment
            self.goEnvironment = goEnvironment
            self.git = git
            self.date = date
        }
    }

    /// Expands every `{{…}}` in `text`; `source` names the flag for errors.
    public static func expand(_ text: String, values: Values, source: String) throws -> String {
        try expand(text, values: values) { BuildError.invalidFlag("template in \(source): \($0)") }
    }

    /// Expands `setting`'s templates; an error names its line of the config
    /// file (and `key`), or the flag it came from.
    static func expand(_ setting: BuildSetting, key: String, values: Values) throws -> String {
        switch setting.origin {
        case .file: return try expand(setting.text, values: values) { setting.error("template in \(key): \($0)") }
        case let .flag(name): return try expand(setting.text, values: values, source: name)
        }
    }

    private static func expand(_ text: String, values: Values,
                               failure: (String) -> BuildError) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw failure("'{{' without '}}' in '\(InputQuoting.quote(text))'")
            }
            var expression = rest[open.upperBound..<close.lowerBound]
            // {{- and -}} trim spaces in Go templates; the field is the same.
            if expression.hasPrefix("-") { expression = expression.dropFirst() }
            if expression.hasSuffix("-") { expression = expression.dropLast() }
            output += try value(of: expression.trimmingCharacters(in: .whitespaces), values: values,
                                failure: failure)
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    private static func value(of expression: String, values: Values,
                              failure: (String) -> BuildError) throws -> String {
        let quoted = InputQuoting.quote(expression)
        let path = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard path.count >= 2, path[0].isEmpty else {
            throw failure("'{{\(quoted)}}' is not supported; "
                + "use fields such as {{.Env.NAME}}, {{.Git.ShortCommit}} or {{.Date}}")
        }
        func missing(_ key: String) -> BuildError {
            failure("map has no entry for key \"\(InputQuoting.quote(key))\" in {{\(quoted)}}")
        }
        switch (path[1], path.count) {
        case ("Env", 3):
            guard let value = values.environment[path[2]] else { throw missing(path[2]) }
            return value
        case ("GoEnv", 3):
            guard let value = try values.goEnvironment(path[2]) else { throw missing(path[2]) }
            return value
        case ("Git", 3):
            guard let value = try values.git()[path[2]] else { throw missing(path[2]) }
            return value
        case ("Date", 2):
            return ISO8601DateFormatter().string(from: values.date)
        case ("Timestamp", 2):
            return String(Int64(values.date.timeIntervalSince1970))
        default:
            throw missing(path.dropFirst().joined(separator: "."))
        }
    }
}
