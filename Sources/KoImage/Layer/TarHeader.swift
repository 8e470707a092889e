/// One tar entry's header, encoded the way Go's `archive/tar` writes it.
///
/// ko builds its layers with Go's tar writer, so we pick the same format for
/// each entry: USTAR when every field fits (splitting long names into the
/// prefix field), otherwise a PAX extended header (`path`, `linkpath`, `size`,
/// `mtime` records) before a USTAR-shaped header. Same header, same bytes:
/// that is what makes our diffIDs equal to ko's.
/// See POSIX.1-2008 `pax` "ustar Interchange Format" and "pax Header Block".
struct TarHeader {
    enum Kind: UInt8 {
        case regular = 0x30  // '0'
        case symlink = 0x32  // '2'
        case directory = 0x35  // '5'
        case paxExtended = 0x78  // 'x'
    }

    var name: String
    var kind: Kind
    var mode: Int64
    var size: Int64 = 0
    var modificationTime: Int64 = 0
    var linkName: String = ""

    static let blockSize = 512
    private static let nameSize = 100
    private static let prefixSize = 155

    /// The header blocks: one for USTAR, or a PAX header, its records and the
    /// main header.
    func encode() throws -> [UInt8] {
        guard !name.utf8.contains(0), !linkName.utf8.contains(0) else {
            throw LayerError.invalidEntryName(name, reason: "names must not contain NUL bytes")
        }
        var records: [String: String] = [:]
        var ustar = true

        // The name: fits, or splits into prefix/suffix, or needs a PAX record.
        let split = Self.splitUSTARPath(name)
        if !Self.isASCII(name) || name.utf8.count > Self.nameSize {
            if split == nil { ustar = false }
            records["path"] = name
        }
        if !Self.isASCII(linkName) || linkName.utf8.count > Self.nameSize {
            ustar = false
            records["linkpath"] = linkName
        }
        if !Self.fitsInOctal(width: 12, size) {
            ustar = false
            records["size"] = String(size)
        }
        if !Self.fitsInOctal(width: 12, modificationTime) {
            ustar = false
            records["mtime"] = String(modificationTime)
        }

        if ustar {
            var block = mainBlock(name: split?.suffix ?? name)
            if let prefix = split?.prefix { Self.putString(&block, at: 345, width: 155, prefix) }
            Self.finishBlock(&block)
            return block
        }
        var blocks = paxBlocks(records)
        var block = mainBlock(name: Self.toASCII(name))
        Self.finishBlock(&block)
        blocks.append(contentsOf: block)
        return blocks
    }

    /// The V7 and USTAR fields, before the checksum.
    private func mainBlock(name: String) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        Self.putString(&block, at: 0, width: 100, name)
        Self.putOctal(&block, at: 100, width: 8, mode)
        Self.putOctal(&block, at: 108, width: 8, 0)  // uid
        Self.putOctal(&block, at: 116, width: 8, 0)  // gid
        Self.putOctal(&block, at: 124, width: 12, size)
        Self.putOctal(&block, at: 136, width: 12, modificationTime)
        block[156] = kind.rawValue
        Self.putString(&block, at: 157, width: 100, Self.toASCII(linkName))
        // uname (265) and gname (297) stay empty.
        Self.putOctal(&block, at: 329, width: 8, 0)  // devmajor
        Self.putOctal(&block, at: 337, width: 8, 0)  // devminor
        return block
    }

    /// The PAX extended header entry carrying `records`, padded to blocks.
    private func paxBlocks(_ records: [String: String]) -> [UInt8] {
        var data = [UInt8]()
        for key in records.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            data.append(contentsOf: Self.paxRecord(key: key, value: records[key] ?? ""))
        }
        let (directory, file) = Self.splitDirectory(name)
        var headerName = Self.toASCII(Self.joinClean([directory, "PaxHeaders.0", file]))
        if headerName.utf8.count > Self.nameSize {
            headerName = String(decoding: headerName.utf8.prefix(Self.nameSize), as: UTF8.self)
        }
        while headerName.hasSuffix("/") { headerName.removeLast() }

        var block = [UInt8](repeating: 0, count: Self.blockSize)
        Self.putString(&block, at: 0, width: 100, headerName)
        Self.putOctal(&block, at: 100, width: 8, 0)
        Self.putOctal(&block, at: 108, width: 8, 0)
        Self.putOctal(&block, at: 116, width: 8, 0)
        Self.putOctal(&block, at: 124, width: 12, Int64(data.count))
        Self.putOctal(&block, at: 136, width: 12, 0)
        block[156] = Kind.paxExtended.rawValue
        Self.finishBlock(&block)
        block.append(contentsOf: data)
        block.append(contentsOf: [UInt8](repeating: 0, count: Self.padding(for: Int64(data.count))))
        return block
    }

    // MARK: - Field encoding

    /// Zero bytes needed after `size` bytes of data to reach a block boundary.
    static func padding(for size: Int64) -> Int {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? 0 : blockSize - remainder
    }

    /// Sets magic, version and checksum (six octal digits, NUL, space).
    private static func finishBlock(_ block: inout [UInt8]) {
        block.replaceSubrange(257..<263, with: Array("ustar".utf8) + [0])
        block.replaceSubrange(263..<265, with: Array("00".utf8))
        var sum: Int64 = 0
        for (index, byte) in block.enumerated() {
            sum += (148..<156).contains(index) ? 0x20 : Int64(byte)
        }
        putOctal(&block, at: 148, width: 7, sum)
        block[155] = 0x20
    }

    private static func putString(_ block: inout [UInt8], at offset: Int, width: Int, _ text: String) {
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.prefix(width).enumerated() { block[offset + index] = byte }
        if bytes.count < width { block[offset + bytes.count] = 0 }
        // A truncated name ending in '/' would read as a directory to some readers.
        if bytes.count > width, block[offset + width - 1] == 0x2f {
            var end = width
            while end > 0, bytes[end - 1] == 0x2f { end -= 1 }
            block[offset + end] = 0
        }
    }

    /// Octal digits padded with zeros, leaving room for a NUL terminator.
    private static func putOctal(_ block: inout [UInt8], at offset: Int, width: Int, _ value: Int64) {
        let fitting = fitsInOctal(width: width, value) ? value : 0
        let digits = String(fitting, radix: 8)
        let padded = String(repeating: "0", count: max(0, width - digits.count - 1)) + digits
        putString(&block, at: offset, width: width, padded)
    }

    static func fitsInOctal(width: Int, _ value: Int64) -> Bool {
        let bits = (width - 1) * 3
        return value >= 0 && (width >= 22 || value < Int64(1) << Int64(bits))
    }

    /// `"<length> <key>=<value>\n"`, where length counts the whole record.
    static func paxRecord(key: String, value: String) -> [UInt8] {
        var size = key.utf8.count + value.utf8.count + 3
        size += String(size).count
        var record = Array("\(size) \(key)=\(value)\n".utf8)
        // Adding the length's own digits can add one more digit.
        if record.count != size {
            size = record.count
            record = Array("\(size) \(key)=\(value)\n".utf8)
        }
        return record
    }

    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Drops non-ASCII characters and NULs, as Go does for header fields.
    static func toASCII(_ text: String) -> String {
        if isASCII(text) { return text }
        return String(text.unicodeScalars.filter { $0.value < 0x80 && $0.value != 0 }.map(Character.init))
    }

    /// Splits a long ASCII name at a '/' into a prefix (at most 155 bytes)
    /// and a suffix (at most 100 bytes), or nil when it fits or cannot split.
    static func splitUSTARPath(_ name: String) -> (prefix: String, suffix: String)? {
        let bytes = Array(name.utf8)
        var length = bytes.count
        if length <= nameSize || !isASCII(name) {
            return nil
        } else if length > prefixSize + 1 {
            length = prefixSize + 1
        } else if bytes[length - 1] == 0x2f {
            length -= 1
        }
        guard let slash = bytes[..<length].lastIndex(of: 0x2f) else { return nil }
        let suffixLength = bytes.count - slash - 1
        guard slash > 0, suffixLength <= nameSize, suffixLength > 0, slash <= prefixSize else { return nil }
        return (String(decoding: bytes[..<slash], as: UTF8.self),
                String(decoding: bytes[(slash + 1)...], as: UTF8.self))
    }

    /// Splits after the last '/': `("a/b/", "c")` for `"a/b/c"`.
    static func splitDirectory(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// Joins path elements with '/' and cleans the result (no empty, '.' or
    /// resolvable '..' elements), keeping a leading '/'.
    static func joinClean(_ parts: [String]) -> String {
        let joined = parts.filter { !$0.isEmpty }.joined(separator: "/")
        if joined.isEmpty { return "" }
        let rooted = joined.hasPrefix("/")
        var elements: [Substring] = []
        for element in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if element == "." { continue }
            if element == "..", let last = elements.last, last != ".." {
                elements.removeLast()
            } else if element == "..", rooted {
                continue
            } else {
                elements.append(element)
            }
        }
        let body = elements.joined(separator: "/")
        if rooted { return "/" + body }
        return body.isEmpty ? "." : body
    }
}
