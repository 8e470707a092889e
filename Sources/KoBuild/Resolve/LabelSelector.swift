/// A Kubernetes label selector, as `kubectl -l` and `ko resolve -l` take it.
///
/// Grammar (Kubernetes "Labels and Selectors"): requirements separated by
/// commas, all of which must hold: `key=value` (or `==`), `key!=value`,
/// `key in (a,b)`, `key notin (a,b)`, `key`, `!key`, and `key>n` / `key<n`
/// for integers. An empty selector matches everything.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    /// One comma-separated part of a selector.
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int64)
        case lessThan(String, Int64)
    }

    public let requirements: [Requirement]
    /// The text the selector was parsed from.
    public let description: String

    /// True when `labels` satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case let .equals(key, value): return labels[key] == value
            case let .notEquals(key, value): return labels[key] != value
            case let .isIn(key, values): return labels[key].map(values.contains) ?? false
            case let .notIn(key, values): return !(labels[key].map(values.contains) ?? false)
            case let .exists(key): return labels[key] != nil
            case let .doesNotExist(key): return labels[key] == nil
            case let .greaterThan(key, bound): return labels[key].flatMap { Int64($0) }.map { $0 > bound } ?? false
            case let .lessThan(key, bound): return labels[key].flatMap { Int64($0) }.map { $0 < bound } ?? false
            }
        }
    }

    /// Parses `text`; throws `ResolveError.invalidSelector` saying what is wrong.
    public init(parsing text: String) throws {
        var parser = LabelSelectorParser(text: text)
        requirements = try parser.parse()
        description = text
    }
}
