/// A YAML stream parsed by libyaml with every node tied to its bytes in the
/// original text, so edits can touch exactly those bytes and nothing else.
///
/// libyaml reports positions in characters; they are turned into byte
/// offsets here. Aliases are kept as aliases (never expanded).
struct YAMLSource {
    /// How a scalar was written.
    enum ScalarStyle: Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    struct Scalar {
        var value: String
        var style: ScalarStyle
        /// The explicit tag, as libyaml resolves it; nil when none was written.
        var tag: String?
        /// The bytes of the scalar itself (quotes included, properties excluded).
        /// Empty for the empty scalars the parser fills in for missing values.
        var range: Range<Int>
        var line: Int
    }

    indirect enum Node {
        case scalar(Scalar)
        case sequence(Collection<Node>)
        case mapping(Collection<(key: Node, value: Node)>)
        case alias(String, range: Range<Int>, line: Int)
    }

    /// A sequence or mapping with the places an edit needs.
    struct Collection<Element> {
        var items: [Element]
        /// True for `[...]` / `{...}`, false for block style.
        var isFlow: Bool
        var line: Int
        /// From the first property or indicator to the end of the collection.
        var range: Range<Int>
        /// Where each item starts (its first property or content), for sequences.
        var itemStarts: [Int]
        /// Where each item's last content ends, for sequences.
        var itemEnds: [Int]
    }

    struct Document {
        var root: Node
        var anchors: [String: Node]
        /// The bytes this document owns: from its start (or the end of the
        /// previous one) up to the next document's start.
        var range: Range<Int>
        var line: Int
        /// True when the document holds nothing but an empty scalar.
        var isEmpty: Bool {
            if case let .scalar(scalar) = root { return scalar.range.isEmpty && scalar.tag == nil }
            return false
        }
    }

    let file: String
    let bytes: [UInt8]
    var documents: [Document] = []
    /// Byte offsets of every `-` sequence entry indicator, ascending.
    var blockEntries: [Int] = []

    /// Nesting deeper than this is refused: no manifest needs it, and the
    /// recursive walks over the tree must stay within the stack.
    static let maximumDepth = 256
}

extension YAMLSource.Node {
    var line: Int {
        switch self {
        case let .scalar(scalar): return scalar.line
        case let .sequence(collection): return collection.line
        case let .mapping(collection): return collection.line
        case let .alias(_, _, line): return line
        }
    }

    /// Where the node's last content ends (before any trailing comments).
    var contentEnd: Int {
        switch self {
        case let .scalar(scalar): return scalar.range.upperBound
        case let .alias(_, range, _): return range.upperBound
        case let .sequence(collection):
            if collection.isFlow { return collection.range.upperBound }
            return collection.itemEnds.last ?? collection.range.lowerBound
        case let .mapping(collection):
            if collection.isFlow { return collection.range.upperBound }
            return collection.items.last?.value.contentEnd ?? collection.range.lowerBound
        }
    }

    /// Calls `body` on every scalar in document order, keys included.
    /// Aliases are not followed: an anchored scalar is visited once, where it is written.
    func forEachScalar(_ body: (YAMLSource.Scalar) throws -> Void) rethrows {
        switch self {
        case let .scalar(scalar): try body(scalar)
        case .alias: break
        case let .sequence(collection):
            for item in collection.items { try item.forEachScalar(body) }
        case let .mapping(collection):
            for pair in collection.items {
                try pair.key.forEachScalar(body)
                try pair.value.forEachScalar(body)
            }
        }
    }
}
