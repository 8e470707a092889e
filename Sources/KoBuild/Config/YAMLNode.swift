import CYaml

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

    /// Parses the first document of `text` with libyaml; an empty text is an empty mapping.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw BuildError.invalidConfig(file: file, line: nil, reason: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        try YAMLNestingGuard.check(bytes, file: file)
        return try bytes.withUnsafeBufferPointer { buffer -> YAMLNode in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var document = yaml_document_t()
            guard yaml_parser_load(&parser, &document) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                throw BuildError.invalidConfig(file: file, line: Int(parser.problem_mark.line) + 1,
                                               reason: problem)
            }
            defer { yaml_document_delete(&document) }
            guard let root = yaml_document_get_root_node(&document) else {
                return .mapping([], line: 1)
            }
            return try convert(root, document: &document, file: file, depth: 0)
        }
    }

    private static func convert(_ node: UnsafeMutablePointer<yaml_node_t>,
                                document: inout yaml_document_t,
                                file: String, depth: Int) throws -> YAMLNode {
        let line = Int(node.pointee.start_mark.line) + 1
        // Aliases can make a small document expand without bound; a config
        // file has no reason to nest this deep.
        guard depth < 64 else {
            throw BuildError.invalidConfig(file: file, line: line, reason: "nesting is too deep")
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
                    items.append(try convert(child, document: &document, file: file, depth: depth + 1))
                }
                item = current + 1
            }
            return .sequence(items, line: line)
        case YAML_MAPPING_NODE:
            var pairs: [(key: String, keyLine: Int, value: YAMLNode)] = []
            var pair = node.pointee.data.mapping.pairs.start
            while let current = pair, current != node.pointee.data.mapping.pairs.top {
                guard let keyNode = yaml_document_get_node(&document, current.pointee.key),
                      let valueNode = yaml_document_get_node(&document, current.pointee.value) else {
                    pair = current + 1
                    continue
                }
                let key = try convert(keyNode, document: &document, file: file, depth: depth + 1)
                guard let keyText = key.scalar else {
                    throw BuildError.invalidConfig(file: file, line: key.line, reason: "a key must be a string")
                }
                let value = try convert(valueNode, document: &document, file: file, depth: depth + 1)
                pairs.append((keyText, key.line, value))
                pair = current + 1
            }
            return .mapping(pairs, line: line)
        default:
            return .scalar("", line: line)
        }
    }
}
