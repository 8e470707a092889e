import Foundation
import KoCrypto
import KoLog
#if canImport(Glibc)
import Glibc
#endif

/// Minted tokens kept on disk between runs, so that each `docker pull` through
/// `docker-credential-ko` does not mint a new ECR token.
///
/// Files live in `$XDG_CACHE_HOME/ko/cloud-tokens` (or `~/.cache/ko/...`),
/// are created 0600 in a 0700 directory and replaced atomically by rename.
/// A file is named by the hash of what minted it (see `key(_:)`), so the cache
/// never holds an access key or client secret, only the minted token, and a
/// rotated key can never pick up another key's token. Cache trouble is logged
/// and otherwise ignored: the token is simply minted again.
struct CloudTokenDiskCache {
    let directory: String
    let logger: Logger

    /// The cache directory for an environment, or nil when neither
    /// XDG_CACHE_HOME nor HOME is set.
    init?(environment: [String: String], logger: Logger) {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.cache"
        } else {
            return nil
        }
        self.directory = base + "/ko/cloud-tokens"
        self.logger = logger
    }

    /// A cache key: the SHA-256 of the parts, each length-prefixed so that no
    /// two different part lists share a key.
    static func key(_ parts: [String]) -> String {
        let digest = MessageDigest.sha256()
        for part in parts {
            let bytes = Array(part.utf8)
            digest.update(Array(String(bytes.count).utf8) + [0x3a])
            digest.update(bytes)
        }
        return hexString(digest.finalize())
    }

    func token(forKey key: String) -> CloudToken? {
        let path = directory + "/" + key + ".json"
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o077 == 0,
              info.st_size > 0, info.st_size < 65_536 else {
            logger.debug("ignoring cached token \(path): not a private file of this user")
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let count = read(descriptor, &bytes, bytes.count)
        guard count == bytes.count else { return nil }
        return try? Self.decoder.decode(CloudToken.self, from: Data(bytes))
    }

    func store(_ token: CloudToken, forKey key: String) {
        do {
            try makeDirectories()
            let data = try Self.encoder.encode(token)
            let temporary = directory + "/.\(key).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXFailure(call: "open", path: temporary) }
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor)
            close(descriptor)
            guard written == data.count, synced == 0 else {
                unlink(temporary)
                throw POSIXFailure(call: "write", path: temporary)
            }
            guard rename(temporary, directory + "/" + key + ".json") == 0 else {
                unlink(temporary)
                throw POSIXFailure(call: "rename", path: temporary)
            }
        } catch {
            logger.debug("could not cache a cloud token in \(directory): \(error)")
        }
    }

    private func makeDirectories() throws {
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw POSIXFailure(call: "mkdir", path: path)
            }
        }
    }

    private struct POSIXFailure: Error, CustomStringConvertible {
        let call: String
        let path: String
        let code = errno
        var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
