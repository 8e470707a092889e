/// A YAML file (one or more documents) whose `ko://` references can be
/// replaced by image references without disturbing anything else.
///
/// Every scalar written as `ko://<import path>` (plain, single- or
/// double-quoted, keys included, as `ko resolve` finds them) is located in
/// the original bytes. `resolved(_:)` rewrites exactly those scalars and
/// copies every other byte as written: comments, quoting, key order, blank
/// lines, document separators. Block scalars (`|`, `>`) and scalars with a
/// tag other than `!!str` are text, not references.
public struct ResolvableYAML: Sendable {
    /// One place a `ko://` reference is written.
    public struct Reference: Sendable, Equatable {
        /// The import path after `ko://`, trimmed of trailing white space.
        public var importPath: String
        /// 1-based line of the scalar.
        public var line: Int
        /// The scalar's bytes, quotes included.
        public var range: Range<Int>
        var style: YAMLSource.ScalarStyle
    }

    /// The file name used in messages (`-` for standard input).
    public let file: String
    /// The bytes as read.
    public let bytes: [UInt8]
    /// Every reference in the documents that are kept, in the order written.
    public private(set) var references: [Reference]
    /// Number of documents in the file, and how many are kept.
    public let documentCount: Int
    public private(set) var keptDocumentCount: Int

    let source: YAMLSource
    /// Byte ranges left out of the output: dropped documents and List items.
    private(set) var removed: [Range<Int>] = []

    /// Parses `bytes`; errors name `file` and the line.
    public init(bytes: [UInt8], file: String) throws {
        self.file = file
        self.bytes = bytes
        source = try YAMLSource(bytes: bytes, file: file)
        documentCount = source.documents.count
        keptDocumentCount = documentCount
        references = []
        for document in source.documents {
            try document.root.forEachScalar { scalar in
                if let reference = try Self.reference(in: scalar, bytes: bytes, file: file) {
                    references.append(reference)
                }
            }
        }
    }

    /// The distinct import paths, in the order first written.
    public var importPaths: [String] {
        var seen: Set<String> = []
        return references.map(\.importPath).filter { seen.insert($0).inserted }
    }

    /// Keeps only the documents whose `metadata.labels` match `selector`, as
    /// `ko resolve -l` does. Empty documents are dropped. In a `List`, items
    /// are filtered one by one and the List is dropped when none is left.
    public func selecting(_ selector: LabelSelector) throws -> ResolvableYAML {
        var copy = self
        var removed: [Range<Int>] = []
        for document in source.documents {
            removed += try DocumentLabels(document: document, file: file)
                .rangesToDrop(for: selector, source: source)
        }
        copy.removed = (self.removed + removed).sorted { $0.lowerBound < $1.lowerBound }
        copy.references = references.filter { reference in
            !copy.removed.contains { $0.contains(reference.range.lowerBound) }
        }
        copy.keptDocumentCount = source.documents.filter { document in
            !copy.removed.contains { $0 == document.range }
        }.count
        return copy
    }

    /// The bytes with each reference replaced by `images[importPath]` and
    /// everything else as written. Quoted scalars stay quoted in the same
    /// style. Throws if an import path has no image.
    public func resolved(_ images: [String: String]) throws -> [UInt8] {
        var edits: [(range: Range<Int>, replacement: [UInt8])] = removed.map { ($0, []) }
        for reference in references {
            guard let image = images[reference.importPath] else {
                throw ResolveError.unresolvedImportPath(reference.importPath, file: file, line: reference.line)
            }
            edits.append((reference.range, Self.encode(image, as: reference.style)))
        }
        edits.sort { $0.range.lowerBound < $1.range.lowerBound }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        for edit in edits where edit.range.lowerBound >= cursor {
            output += bytes[cursor..<edit.range.lowerBound]
            output += edit.replacement
            cursor = edit.range.upperBound
        }
        output += bytes[cursor...]
        return output
    }

    // MARK: - Scalars

    private static let stringTag = "tag:yaml.org,2002:str"
    private static let scheme = "ko://"

    private static func reference(in scalar: YAMLSource.Scalar, bytes: [UInt8], file: String) throws -> Reference? {
        guard scalar.tag == nil || scalar.tag == stringTag, scalar.value.hasPrefix(scheme) else { return nil }
        let importPath = trimmingWhiteSpace(scalar.value.dropFirst(scheme.count))
        guard !importPath.isEmpty else { throw ResolveError.emptyImportPath(file: file, line: scalar.line) }
        switch scalar.style {
        case .plain, .singleQuoted, .doubleQuoted:
            return Reference(importPath: importPath, line: scalar.line, range: scalar.range, style: scalar.style)
        case .literal, .folded:
            // ko reads a block scalar holding just `ko://path` as a reference
            // too; only the reference's own bytes change, the `|`/`>` header stays.
            guard !importPath.contains(where: \.isWhitespace),
                  let range = find(Array((scheme + importPath).utf8), in: bytes, within: scalar.range) else {
                return nil
            }
            return Reference(importPath: importPath, line: scalar.line, range: range, style: .plain)
        }
    }

    /// Where `needle` first occurs inside `range` of `bytes`.
    private static func find(_ needle: [UInt8], in bytes: [UInt8], within range: Range<Int>) -> Range<Int>? {
        guard !needle.isEmpty, range.count >= needle.count else { return nil }
        var start = range.lowerBound
        while start + needle.count <= range.upperBound {
            if bytes[start] == needle[0], Array(bytes[start..<start + needle.count]) == needle {
                return start..<start + needle.count
            }
            start += 1
        }
        return nil
    }

    private static func trimmingWhiteSpace(_ text: Substring) -> String {
        var trimmed = text
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        return String(trimmed)
    }

    /// Writes `value` as a scalar of `style`. A plain scalar that YAML could
    /// read as something else is written double-quoted instead.
    static func encode(_ value: String, as style: YAMLSource.ScalarStyle) -> [UInt8] {
        switch style {
        case .singleQuoted:
            return Array("'\(value.replacingAll("'", with: "''"))'".utf8)
        case .plain where isPlainSafe(value), .literal where isPlainSafe(value), .folded where isPlainSafe(value):
            return Array(value.utf8)
        default:
            var text = "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    text += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                default: text.unicodeScalars.append(scalar)
                }
            }
            return Array((text + "\"").utf8)
        }
    }

    /// Image references (`host:port/path@sha256:hex`) are plain-safe; this
    /// accepts only that alphabet, starting with a letter or digit, and
    /// holding `/` or `@` so it cannot be read as a number or time.
    private static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, isAlphanumeric(first),
              value.contains("/") || value.contains("@") else { return false }
        return value.unicodeScalars.allSatisfy { isAlphanumeric($0) || "._-/:@+~".unicodeScalars.contains($0) }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
