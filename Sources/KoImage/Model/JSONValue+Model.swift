import Foundation
import KoJSON

/// How image documents are read, and how `Codable` model types get to and
/// from JSON. Foundation's coders only move between `Codable` types and
/// `JSONValue`; bytes that are hashed or sent always come from
/// `canonicalBytes`.
extension JSONValue {
    /// Parses a document as Go's decoder reads it (registries and engines are
    /// written in Go); `document` names it in errors.
    public init(parsing bytes: [UInt8], document: String = "JSON document") throws {
        do {
            self = try JSONParser.parse(bytes, options: .goCompatible)
        } catch let error as JSONSyntaxError {
            throw ModelError.invalidJSON(document: document, line: error.line, column: error.column,
                                         reason: error.reason)
        }
    }

    /// A value of a `Decodable` type read from this JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(canonicalBytes))
        } catch let error as DecodingError {
            throw ModelError.invalidDocument(document: "\(T.self)", reason: Self.describe(error))
        }
    }

    /// The JSON form of an `Encodable` value.
    public init<T: Encodable>(encoding value: T) throws {
        let bytes = Array(try JSONEncoder().encode(value))
        try self.init(parsing: bytes, document: "encoded \(T.self)")
    }

    /// A short reason with the coding path, instead of Foundation's debug dump.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing '\(key.stringValue)' at \(path(context))"
        case let .typeMismatch(type, context):
            return "expected \(type) at \(path(context))"
        case let .valueNotFound(type, context):
            return "expected \(type) at \(path(context)), found null"
        case let .dataCorrupted(context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}
