#if canImport(Glibc)
import Glibc
#endif

/// Reads a Go binary's build information in-process, as Go's
/// `debug/buildinfo` does, so that an SBOM costs no `go version -m` run.
///
/// Go 1.18 and later write a `.go.buildinfo` section: the 14-byte magic
/// `\xff Go buildinf:`, the pointer size, a flags byte (bit 1: the strings
/// follow inline) and padding to 32 bytes, then the Go version and the
/// module information, each as a uvarint length and bytes. The module
/// information is framed by 16 sentinel bytes on each side and holds the
/// lines `go version -m` prints, tab-separated. Only little-endian ELF files
/// (32 or 64 bit) with inline strings are read here; anything else returns
/// nil and is left to `go version -m`.
extension GoBuildInfo {
    /// What `go version -m binary` would print, or nil when this reader
    /// does not know the file's format.
    static func embeddedText(binary: String) -> String? {
        let descriptor = open(binary, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let section = ELFSections(descriptor: descriptor).contents(of: ".go.buildinfo", limit: 1 << 20),
              section.count >= 32, section[0] == 0xff, Array(section[1..<14]) == Array(" Go buildinf:".utf8),
              section[15] & 0x2 != 0 else { return nil }
        var offset = 32
        guard let version = Self.inlineString(section, at: &offset),
              var module = Self.inlineString(section, at: &offset) else { return nil }
        if module.count >= 33, module[module.count - 17] == 0x0A {
            module = Array(module[16..<(module.count - 16)])
        }
        let lines = String(decoding: module, as: UTF8.self).split(separator: "\n").map { "\t" + $0 }
        return ([binary + ": " + String(decoding: version, as: UTF8.self)] + lines).joined(separator: "\n") + "\n"
    }

    /// A uvarint-prefixed string at `offset`, which moves past it.
    private static func inlineString(_ bytes: [UInt8], at offset: inout Int) -> [UInt8]? {
        var length = 0
        var shift = 0
        while true {
            guard offset < bytes.count, shift < 63 else { return nil }
            let byte = bytes[offset]
            offset += 1
            length |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard length >= 0, length <= bytes.count - offset else { return nil }
        defer { offset += length }
        return Array(bytes[offset..<(offset + length)])
    }
}

/// The section table of a little-endian ELF file, read with `pread`.
private struct ELFSections {
    let descriptor: Int32

    /// The bytes of the section called `name` (at most `limit`), or nil.
    func contents(of name: String, limit: Int) -> [UInt8]? {
        guard let header = read(at: 0, count: 64), header.count == 64,
              Array(header[0..<4]) == [0x7f, 0x45, 0x4c, 0x46], header[5] == 1 else { return nil }
        let wide = header[4] == 2
        guard wide || header[4] == 1 else { return nil }
        let tableOffset = wide ? integer(header, 0x28, 8) : integer(header, 0x20, 4)
        let entrySize = integer(header, wide ? 0x3A : 0x2E, 2)
        let count = integer(header, wide ? 0x3C : 0x30, 2)
        let namesIndex = integer(header, wide ? 0x3E : 0x32, 2)
        guard entrySize >= (wide ? 64 : 40), count > 0, count < 1 << 16, namesIndex < count,
              let table = read(at: tableOffset, count: entrySize * count), table.count == entrySize * count
        else { return nil }

        func section(_ index: Int) -> (name: Int, offset: Int, size: Int) {
            let base = index * entrySize
            return wide ? (integer(table, base, 4), integer(table, base + 24, 8), integer(table, base + 32, 8))
                : (integer(table, base, 4), integer(table, base + 16, 4), integer(table, base + 20, 4))
        }
        let names = section(namesIndex)
        guard names.size < 1 << 20, let nameTable = read(at: names.offset, count: names.size) else { return nil }
        let wanted = Array(name.utf8)
        for index in 0..<count {
            let candidate = section(index)
            let start = candidate.name
            guard start >= 0, start + wanted.count < nameTable.count,
                  Array(nameTable[start..<(start + wanted.count)]) == wanted,
                  nameTable[start + wanted.count] == 0 else { continue }
            return read(at: candidate.offset, count: min(candidate.size, limit))
        }
        return nil
    }

    private func read(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes[done...].withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count,
                                                                     off_t(offset + done)) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            done += got
        }
        return done == count ? bytes : nil
    }

    /// A little-endian unsigned integer of `size` bytes at `offset`.
    private func integer(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> Int {
        guard offset >= 0, offset + size <= bytes.count else { return -1 }
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value > UInt64(Int.max) ? -1 : Int(value)
    }
}
