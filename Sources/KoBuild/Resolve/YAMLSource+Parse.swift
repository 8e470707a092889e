import CYaml

extension YAMLSource {
    /// Parses every document of `bytes` (UTF-8) with libyaml.
    ///
    /// Two passes: the event pass builds the tree; the token pass finds where
    /// each scalar's own text starts, because an event's start mark covers
    /// its anchor and tag too.
    init(bytes: [UInt8], file: String) throws {
        do {
            try YAMLNestingGuard.check(bytes, file: file)
        } catch let BuildError.invalidConfig(_, line, _) {
            throw ResolveError.tooDeep(file: file, line: line ?? 1)
        }
        self.file = file
        self.bytes = bytes
        let offsets = CharacterOffsets(bytes)
        let tokens = try Self.scanTokens(bytes, file: file, offsets: offsets)
        blockEntries = tokens.blockEntries
        var builder = TreeBuilder(file: file, offsets: offsets, scalarTokens: tokens.scalars)
        try Self.withParser(bytes, file: file) { parser in
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw Self.parseError(parser, bytes: bytes, file: file)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(event)
            }
        }
        documents = builder.finishDocuments(byteCount: bytes.count, bytes: bytes)
    }

    // MARK: - Tokens

    private struct ScalarToken {
        var range: Range<Int>
        var style: ScalarStyle
    }

    private static func scanTokens(_ bytes: [UInt8], file: String,
                                   offsets: CharacterOffsets) throws -> (scalars: [ScalarToken], blockEntries: [Int]) {
        var scalars: [ScalarToken] = []
        var entries: [Int] = []
        try withParser(bytes, file: file) { parser in
            var token = yaml_token_t()
            while true {
                guard yaml_parser_scan(&parser, &token) == 1 else {
                    throw Self.parseError(parser, bytes: bytes, file: file)
                }
                defer { yaml_token_delete(&token) }
                let start = offsets.byteOffset(token.start_mark.index)
                switch token.type {
                case YAML_STREAM_END_TOKEN, YAML_NO_TOKEN:
                    return
                case YAML_SCALAR_TOKEN:
                    let end = offsets.byteOffset(token.end_mark.index)
                    scalars.append(ScalarToken(range: start..<end, style: ScalarStyle(token.data.scalar.style)))
                case YAML_BLOCK_ENTRY_TOKEN:
                    entries.append(start)
                default:
                    break
                }
            }
        }
        return (scalars, entries)
    }

    // MARK: - Tree

    /// Turns the event stream into documents of nodes.
    private struct TreeBuilder {
        struct Frame {
            var isMapping: Bool
            var isFlow: Bool
            var anchor: String?
            var start: Int
            var line: Int
            var nodes: [Node] = []
            var itemStarts: [Int] = []
            var itemEnds: [Int] = []
        }

        struct PendingDocument {
            var start: Int
            var line: Int
            var root: Node?
            var anchors: [String: Node] = [:]
            var explicitEnd: Int?
        }

        let file: String
        let offsets: CharacterOffsets
        let scalarTokens: [ScalarToken]
        var nextToken = 0
        var stack: [Frame] = []
        var current: PendingDocument?
        var finished: [PendingDocument] = []

        init(file: String, offsets: CharacterOffsets, scalarTokens: [ScalarToken]) {
            self.file = file
            self.offsets = offsets
            self.scalarTokens = scalarTokens
        }

        mutating func handle(_ event: yaml_event_t) throws {
            let start = offsets.byteOffset(event.start_mark.index)
            let end = offsets.byteOffset(event.end_mark.index)
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                current = PendingDocument(start: start, line: line)
            case YAML_DOCUMENT_END_EVENT:
                guard var document = current else { return }
                if event.data.document_end.implicit == 0 { document.explicitEnd = end }
                finished.append(document)
                current = nil
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length),
                                   as: UTF8.self)
                let style = ScalarStyle(data.style)
                var range = end..<end
                // The parser fills in empty plain scalars for missing values;
                // they have no token (a written plain scalar is never empty).
                if !(style == .plain && data.length == 0 && start == end) {
                    range = try takeScalarToken(value: value, style: style, line: line)
                }
                let scalar = Scalar(value: value, style: style, tag: Self.text(data.tag), range: range, line: line)
                try add(.scalar(scalar), start: start, anchor: Self.text(data.anchor))
            case YAML_ALIAS_EVENT:
                let name = Self.text(event.data.alias.anchor) ?? ""
                // Anchors do not reach across documents; libyaml's parser leaves this check to loaders.
                guard current?.anchors[name] != nil else {
                    throw ResolveError.invalidYAML(file: file, line: line, column: Int(event.start_mark.column) + 1,
                                                   reason: "alias *\(name) names no anchor earlier in its document")
                }
                try add(.alias(name, range: start..<end, line: line), start: start, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try push(Frame(isMapping: false, isFlow: event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE,
                               anchor: Self.text(event.data.sequence_start.anchor), start: start, line: line))
            case YAML_MAPPING_START_EVENT:
                try push(Frame(isMapping: true, isFlow: event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE,
                               anchor: Self.text(event.data.mapping_start.anchor), start: start, line: line))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return }
                let node = Self.collection(from: frame, end: max(end, frame.start))
                try add(node, start: frame.start, anchor: frame.anchor)
            default:
                break
            }
        }

        private mutating func takeScalarToken(value: String, style: ScalarStyle, line: Int) throws -> Range<Int> {
            // The token and event streams come from the same scanner, so they
            // cannot disagree; if they ever do, refuse rather than edit the wrong bytes.
            guard nextToken < scalarTokens.count, scalarTokens[nextToken].style == style else {
                throw ResolveError.invalidYAML(file: file, line: line, column: 1,
                                               reason: "libyaml's tokens and events disagree about a scalar")
            }
            defer { nextToken += 1 }
            return scalarTokens[nextToken].range
        }

        private mutating func push(_ frame: Frame) throws {
            guard stack.count < YAMLSource.maximumDepth else {
                throw ResolveError.tooDeep(file: file, line: frame.line)
            }
            stack.append(frame)
        }

        private mutating func add(_ node: Node, start: Int, anchor: String?) throws {
            if let anchor { current?.anchors[anchor] = node }
            guard !stack.isEmpty else {
                current?.root = node
                return
            }
            stack[stack.count - 1].nodes.append(node)
            stack[stack.count - 1].itemStarts.append(start)
            stack[stack.count - 1].itemEnds.append(node.contentEnd)
        }

        private static func collection(from frame: Frame, end: Int) -> Node {
            guard frame.isMapping else {
                return .sequence(Collection(items: frame.nodes, isFlow: frame.isFlow, line: frame.line,
                                            range: frame.start..<end, itemStarts: frame.itemStarts,
                                            itemEnds: frame.itemEnds))
            }
            var pairs: [(key: Node, value: Node)] = []
            var index = 0
            while index + 1 < frame.nodes.count {
                pairs.append((frame.nodes[index], frame.nodes[index + 1]))
                index += 2
            }
            return .mapping(Collection(items: pairs, isFlow: frame.isFlow, line: frame.line,
                                       range: frame.start..<end, itemStarts: [], itemEnds: []))
        }

        /// Assigns every byte of the stream to a document: a document runs
        /// from the end of the previous one to the start of the next.
        func finishDocuments(byteCount: Int, bytes: [UInt8]) -> [Document] {
            var documents: [Document] = []
            var boundary = 0
            for (position, pending) in finished.enumerated() {
                let start = position == 0 ? 0 : boundary
                var end = byteCount
                if position + 1 < finished.count {
                    if let explicitEnd = pending.explicitEnd {
                        end = Self.endOfLine(after: explicitEnd, in: bytes)
                    } else {
                        end = finished[position + 1].start
                    }
                }
                let root = pending.root ?? .scalar(Scalar(value: "", style: .plain, tag: nil,
                                                          range: pending.start..<pending.start, line: pending.line))
                documents.append(Document(root: root, anchors: pending.anchors, range: start..<max(start, end),
                                          line: pending.line))
                boundary = max(start, end)
            }
            return documents
        }

        private static func endOfLine(after offset: Int, in bytes: [UInt8]) -> Int {
            var position = offset
            while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            return min(position + 1, bytes.count)
        }

        private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
    }

    // MARK: - libyaml

    private static func withParser(_ bytes: [UInt8], file: String,
                                   _ body: (inout yaml_parser_t) throws -> Void) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw ResolveError.invalidYAML(file: file, line: 1, column: 1, reason: "libyaml could not start")
        }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            try body(&parser)
        }
    }

    private static func parseError(_ parser: yaml_parser_t, bytes: [UInt8], file: String) -> ResolveError {
        var reason = parser.problem.map { String(cString: $0) } ?? "cannot be parsed"
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad UTF-8) carry a byte offset, not a mark.
            let offset = min(parser.problem_offset, bytes.count)
            let line = bytes[0..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return .invalidYAML(file: file, line: line, column: 1, reason: reason + " (the file must be UTF-8)")
        }
        if let context = parser.context.map({ String(cString: $0) }) {
            reason += " \(context) that started on line \(parser.context_mark.line + 1)"
        }
        return .invalidYAML(file: file, line: Int(parser.problem_mark.line) + 1,
                            column: Int(parser.problem_mark.column) + 1, reason: reason)
    }
}

extension YAMLSource.ScalarStyle {
    init(_ style: yaml_scalar_style_t) {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: self = .literal
        case YAML_FOLDED_SCALAR_STYLE: self = .folded
        default: self = .plain
        }
    }
}

/// Turns libyaml's character positions into byte offsets of UTF-8 text.
///
/// libyaml counts characters (a CRLF as two) and skips a leading BOM.
struct CharacterOffsets {
    private var table: [Int]?
    private let byteCount: Int

    init(_ bytes: [UInt8]) {
        byteCount = bytes.count
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        guard hasBOM || bytes.contains(where: { $0 >= 0x80 }) else {
            table = nil
            return
        }
        var offsets: [Int] = []
        offsets.reserveCapacity(bytes.count + 1)
        for position in (hasBOM ? 3 : 0)..<bytes.count where bytes[position] & 0xC0 != 0x80 {
            offsets.append(position)
        }
        offsets.append(bytes.count)
        table = offsets
    }

    func byteOffset(_ characterIndex: Int) -> Int {
        guard let table else { return min(characterIndex, byteCount) }
        return characterIndex < table.count ? table[characterIndex] : byteCount
    }
}
