/// Reads the labels of one YAML document and decides what a selector keeps.
struct DocumentLabels {
    let document: YAMLSource.Document
    let file: String

    /// The byte ranges to leave out for `selector`: nothing, the whole
    /// document, or (in a partly matching `List`) the items that do not match.
    func rangesToDrop(for selector: LabelSelector, source: YAMLSource) throws -> [Range<Int>] {
        if document.isEmpty { return [document.range] }
        let root = resolve(document.root)
        if let items = listItems(root) {
            let matches = try items.items.map { try selector.matches(labels(of: resolve($0))) }
            if matches.allSatisfy({ $0 }) { return [] }
            if !matches.contains(true) { return [document.range] }
            return try itemRanges(items, dropping: matches.map { !$0 }, source: source)
        }
        return try selector.matches(labels(of: root)) ? [] : [document.range]
    }

    // MARK: - Labels

    /// `metadata.labels` of a resource; a document that is not a mapping has none.
    func labels(of resource: YAMLSource.Node) throws -> [String: String] {
        guard let metadata = value(for: "metadata", in: resource) else { return [:] }
        guard let labelsNode = value(for: "labels", in: metadata) else { return [:] }
        switch labelsNode {
        case let .scalar(scalar) where scalar.range.isEmpty || ["null", "~"].contains(scalar.value):
            return [:]
        case let .mapping(collection):
            var labels: [String: String] = [:]
            try collect(collection, into: &labels, depth: 0)
            return labels
        default:
            throw ResolveError.invalidLabels(file: file, line: labelsNode.line,
                                             reason: "metadata.labels must be a mapping of label names to values")
        }
    }

    private func collect(_ mapping: YAMLSource.Collection<(key: YAMLSource.Node, value: YAMLSource.Node)>,
                         into labels: inout [String: String], depth: Int) throws {
        var merged: [YAMLSource.Node] = []
        for pair in mapping.items {
            guard case let .scalar(key) = resolve(pair.key) else {
                throw ResolveError.invalidLabels(file: file, line: pair.key.line,
                                                 reason: "a label name must be a string")
            }
            if key.value == "<<", key.style == .plain {
                merged.append(resolve(pair.value))
                continue
            }
            guard case let .scalar(value) = resolve(pair.value) else {
                throw ResolveError.invalidLabels(file: file, line: pair.value.line,
                                                 reason: "label '\(key.value)' must have a string value")
            }
            labels[key.value] = value.value
        }
        // Merge keys (`<<: *common`) fill in only what the mapping does not say itself.
        guard depth < 8 else { return }
        var inherited: [String: String] = [:]
        for node in merged {
            switch node {
            case let .mapping(collection):
                try collect(collection, into: &inherited, depth: depth + 1)
            case let .sequence(collection):
                for case let .mapping(inner) in collection.items.map(resolve) {
                    try collect(inner, into: &inherited, depth: depth + 1)
                }
            default:
                throw ResolveError.invalidLabels(file: file, line: node.line,
                                                 reason: "a merge key (<<) must name a mapping")
            }
        }
        labels.merge(inherited) { own, _ in own }
    }

    /// The `items` of a `kind: …List` document, as Kubernetes reads lists.
    private func listItems(_ root: YAMLSource.Node) -> YAMLSource.Collection<YAMLSource.Node>? {
        guard case let .scalar(kind)? = value(for: "kind", in: root).map(resolve), kind.value.hasSuffix("List"),
              case let .sequence(items)? = value(for: "items", in: root).map(resolve) else { return nil }
        return items
    }

    private func value(for key: String, in node: YAMLSource.Node) -> YAMLSource.Node? {
        guard case let .mapping(collection) = resolve(node) else { return nil }
        for pair in collection.items {
            if case let .scalar(scalar) = resolve(pair.key), scalar.value == key { return resolve(pair.value) }
        }
        return nil
    }

    private func resolve(_ node: YAMLSource.Node) -> YAMLSource.Node {
        if case let .alias(name, _, _) = node, let target = document.anchors[name] { return target }
        return node
    }

    // MARK: - List items

    /// Byte ranges of the items to drop from a List that keeps some items.
    private func itemRanges(_ items: YAMLSource.Collection<YAMLSource.Node>, dropping drop: [Bool],
                            source: YAMLSource) throws -> [Range<Int>] {
        let starts = items.itemStarts
        let ends = items.itemEnds
        guard let firstKept = drop.firstIndex(of: false) else { return [document.range] }
        var ranges: [Range<Int>] = []
        if items.isFlow {
            // An item and the comma after it before the first kept item;
            // the comma before it and the item after that.
            for index in drop.indices where drop[index] {
                ranges.append(index < firstKept ? starts[index]..<starts[index + 1] : ends[index - 1]..<ends[index])
            }
            return ranges
        }
        let lineStarts = try starts.map { try entryLineStart(before: $0, in: items, source: source) }
        for index in drop.indices where drop[index] {
            let end = index + 1 < lineStarts.count
                ? lineStarts[index + 1] : Self.endOfLine(containing: ends[index], in: source.bytes)
            ranges.append(lineStarts[index]..<end)
        }
        return ranges
    }

    /// Where the line of the `-` that introduces the item at `itemStart` begins.
    private func entryLineStart(before itemStart: Int, in items: YAMLSource.Collection<YAMLSource.Node>,
                                source: YAMLSource) throws -> Int {
        let entries = source.blockEntries
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < itemStart { low = middle + 1 } else { high = middle }
        }
        guard low > 0, entries[low - 1] >= items.range.lowerBound else {
            throw ResolveError.invalidLabels(file: file, line: items.line,
                                             reason: "cannot find the '-' of a List item to drop it")
        }
        let entry = entries[low - 1]
        var lineStart = entry
        while lineStart > 0, source.bytes[lineStart - 1] == UInt8(ascii: " ") { lineStart -= 1 }
        guard lineStart == 0 || source.bytes[lineStart - 1] == UInt8(ascii: "\n") else {
            throw ResolveError.invalidLabels(file: file, line: items.line,
                                             reason: "a List item to drop must start its own line")
        }
        return lineStart
    }

    private static func endOfLine(containing offset: Int, in bytes: [UInt8]) -> Int {
        var position = offset
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
        return min(position + 1, bytes.count)
    }
}
