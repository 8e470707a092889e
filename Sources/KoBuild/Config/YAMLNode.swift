import CYaml
import KoImage

/// A YAML node with the line it started on, for error messages that point
/// at the file position.
public indirect enum YAMLNode: Sendable {
    case scalar(String, line: Int)
    case sequence([YAMLNode], line: Int)
    /// Keys keep their order and their own lines.
    case mapping([(key: String, keyLine: Int, value: YAMLNode)], line: Int)

    public var line: Int {
        switch self {
        case let .scalar(_, line), let .sequence(_, line), let .mapping(_, line): return line
        }
    }

    public var scalar: String? {
        if case let .scalar(value, _) = self { return value }
        return nil
    }

    /// Parses `text`, which must hold one document; an empty text is an empty mapping.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses the UTF-8 `bytes` of a file that must hold one document.
    ///
    /// Refused, with the file and line: bad UTF-8, a key given twice in one
    /// mapping (as Go's yaml.v3 refuses it), and a second document that says
    /// anything, which would otherwise be ignored without a word.
    public static func parse(bytes: [UInt8], file: String) throws -> YAMLNode {
        try YAMLNestingGuard.check(bytes, file: file)
        let parser = YAMLDocumentParser(bytes: bytes, file: file)
        guard let first = try parser.next() else { return .mapping([], line: 1) }
        while let later = try parser.next() {
            if !isEmpty(later.root) {
                throw BuildError.invalidConfig(file: file, line: later.line,
                                               reason: "a second YAML document starts here; the config must be "
                                                   + "one document: merge it into the first or remove it")
            }
        }
        return first.root
    }

    /// Whether a document says nothing: no content, or only a null.
    private static func isEmpty(_ node: YAMLNode) -> Bool {
        guard case let .scalar(text, _) = node else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }
}

/// libyaml's loader over one buffer, handing out its documents one by one.
private final class YAMLDocumentParser {
    /// On the heap: libyaml keeps pointers to the parser inside it.
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let byteCount: Int
    private let file: String
    private var started = false

    init(bytes: [UInt8], file: String) {
        self.file = file
        byteCount = bytes.count
        // libyaml keeps the input pointer between calls, so it gets a copy
        // that lives as long as the parser (never empty: libyaml wants an address).
        buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
    }

    deinit {
        if started { yaml_parser_delete(parser) }
        parser.deallocate()
        buffer.deallocate()
    }

    /// The next document's root and the line the document starts on, or nil at the end of the stream.
    func next() throws -> (root: YAMLNode, line: Int)? {
        if !started {
            guard yaml_parser_initialize(parser) == 1 else {
                throw BuildError.invalidConfig(file: file, line: nil, reason: "cannot start the YAML parser")
            }
            started = true
            yaml_parser_set_input_string(parser, buffer.baseAddress, byteCount)
        }
        var document = yaml_document_t()
        guard yaml_parser_load(parser, &document) == 1 else { throw syntaxError() }
        defer { yaml_document_delete(&document) }
        // libyaml gives every explicit document a root, if only an empty
        // scalar; a document without one is the end of the stream.
        guard let rootNode = yaml_document_get_root_node(&document) else { return nil }
        let root = try YAMLNodeConverter(file: file).convert(rootNode, document: &document, depth: 0)
        return (root, Int(document.start_mark.line) + 1)
    }

    private func syntaxError() -> BuildError {
        let parser = self.parser.pointee
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad UTF-8) carry a byte offset, not a mark.
            let offset = min(parser.problem_offset, byteCount)
            let line = buffer[0..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return .invalidConfig(file: file, line: line, reason: problem + " (the file must be UTF-8)")
        }
        return .invalidConfig(file: file, line: Int(parser.problem_mark.line) + 1, reason: problem)
    }
}

/// libyaml's node graph to `YAMLNode`s.
private final class YAMLNodeConverter {
    /// Aliases let a few lines stand for millions of values ("billion
    /// laughs"); no config comes near this many.
    static let maximumNodes = 100_000

    let file: String
    private var nodes = 0

    init(file: String) { self.file = file }

    func convert(_ node: UnsafeMutablePointer<yaml_node_t>, document: inout yaml_document_t,
                          depth: Int) throws -> YAMLNode {
        let line = Int(node.pointee.start_mark.line) + 1
        // Aliases can make a small document expand without bound; a config
        // file has no reason to nest this deep.
        guard depth < 64 else {
            throw BuildError.invalidConfig(file: file, line: line, reason: "nesting is too deep")
        }
        nodes += 1
        guard nodes <= Self.maximumNodes else {
            throw BuildError.invalidConfig(file: file, line: line,
                                           reason: "the document expands to more than \(Self.maximumNodes) "
                                               + "values (through aliases?); a config needs far fewer")
        }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let buffer = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
            return .scalar(String(decoding: buffer, as: UTF8.self), line: line)
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = node.pointee.data.sequence.items.start
            while let current = item, current != node.pointee.data.sequence.items.top {
                if let child = yaml_document_get_node(&document, current.pointee) {
                    items.append(try convert(child, document: &document, depth: depth + 1))
                }
                item = current + 1
            }
            return .sequence(items, line: line)
        case YAML_MAPPING_NODE:
            return .mapping(try pairs(of: node, document: &document, depth: depth), line: line)
        default:
            return .scalar("", line: line)
        }
    }

    typealias Pairs = [(key: String, keyLine: Int, value: YAMLNode)]

    /// The pairs of a mapping, with YAML 1.1 merge keys (`<<: *anchor`)
    /// resolved as Go's yaml.v3 resolves them: keys written in the mapping
    /// win over merged ones, and of a list of merged mappings the earlier win.
    /// Merged pairs keep the lines they were written on.
    private func pairs(of node: UnsafeMutablePointer<yaml_node_t>, document: inout yaml_document_t,
                       depth: Int) throws -> Pairs {
        var explicit: Pairs = []
        // Where each merge key stood among the explicit pairs, and what it brought.
        var merges: [(position: Int, pairs: Pairs)] = []
        var firstLines: [String: Int] = [:]
        var pair = node.pointee.data.mapping.pairs.start
        while let current = pair, current != node.pointee.data.mapping.pairs.top {
            pair = current + 1
            guard let keyNode = yaml_document_get_node(&document, current.pointee.key),
                  let valueNode = yaml_document_get_node(&document, current.pointee.value) else { continue }
            let key = try convert(keyNode, document: &document, depth: depth + 1)
            guard let keyText = key.scalar else {
                throw BuildError.invalidConfig(file: file, line: key.line, reason: "a key must be a string")
            }
            // yaml.v3, which ko reads its config with, refuses a repeated
            // key; taking the last one would hide a mistake.
            if let first = firstLines[keyText] {
                throw BuildError.invalidConfig(file: file, line: key.line,
                                               reason: "mapping key \"\(InputQuoting.quote(keyText))\" "
                                                   + "already defined at line \(first)")
            }
            firstLines[keyText] = key.line
            let value = try convert(valueNode, document: &document, depth: depth + 1)
            if Self.isMergeKey(keyNode) {
                merges.append((explicit.count, try mergedPairs(value)))
            } else {
                explicit.append((keyText, key.line, value))
            }
        }
        guard !merges.isEmpty else { return explicit }
        var taken = Set(explicit.map(\.key))
        var result: Pairs = []
        var next = 0
        for merge in merges {
            result += explicit[next..<merge.position]
            next = merge.position
            for merged in merge.pairs where taken.insert(merged.key).inserted {
                result.append(merged)
            }
        }
        return result + explicit[next...]
    }

    /// A plain `<<` (a quoted one is an ordinary key), or one tagged `!!merge`.
    private static func isMergeKey(_ node: UnsafeMutablePointer<yaml_node_t>) -> Bool {
        guard node.pointee.type == YAML_SCALAR_NODE else { return false }
        let scalar = node.pointee.data.scalar
        guard scalar.length == 2, let value = scalar.value, value[0] == 0x3C, value[1] == 0x3C else { return false }
        if scalar.style == YAML_PLAIN_SCALAR_STYLE { return true }
        guard let tag = node.pointee.tag else { return false }
        return String(cString: tag) == "tag:yaml.org,2002:merge"
    }

    /// The pairs a merge key's value brings: a mapping's own, or those of a
    /// list of mappings where the earlier mapping wins a key.
    private func mergedPairs(_ value: YAMLNode) throws -> Pairs {
        let wanted = "a merge key '<<' needs a mapping or a list of mappings (such as *anchor or "
            + "[*a, *b]) as its value"
        switch value {
        case let .mapping(pairs, _):
            return pairs
        case let .sequence(items, _):
            var result: Pairs = []
            var taken = Set<String>()
            for item in items {
                guard case let .mapping(pairs, _) = item else {
                    throw BuildError.invalidConfig(file: file, line: item.line, reason: wanted)
                }
                for merged in pairs where taken.insert(merged.key).inserted {
                    result.append(merged)
                }
            }
            return result
        case .scalar:
            throw BuildError.invalidConfig(file: file, line: value.line, reason: wanted)
        }
    }
}
