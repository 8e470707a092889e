#if canImport(Glibc)
import Glibc
#endif

/// stdin and stdout for credential helpers, through the system calls alone
/// (no Foundation to load).
public enum StandardStreams {
    /// Everything on stdin, up to `limit` bytes (a request is a few hundred).
    public static func readInput(limit: Int = 1 << 20) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// Writes `text` and a final newline to stdout; nothing for empty text.
    public static func writeOutput(_ text: String) {
        guard !text.isEmpty else { return }
        var bytes = Array(text.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
