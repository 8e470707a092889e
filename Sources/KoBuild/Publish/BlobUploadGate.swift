import Foundation
import KoImage

/// One upload of a blob into a repository at a time, in this process.
///
/// The children of an index are pushed at once and share blobs (the kodata
/// layer, the SBOMs' empty config); `docker-registry` can fail one of two
/// uploads of the same blob racing each other. The second upload now waits
/// for the first, then finds the blob with its HEAD and sends nothing.
enum BlobUploadGate {
    private static let lock = NSCondition()
    private static var busy: Set<String> = []

    /// Runs `upload` once no other upload of `digest` into `repository` runs.
    static func serialized<Result>(_ digest: Digest, into repository: RepositoryReference,
                                   _ upload: () throws -> Result) rethrows -> Result {
        let key = "\(repository)@\(digest)"
        lock.lock()
        while busy.contains(key) { lock.wait() }
        busy.insert(key)
        lock.unlock()
        defer {
            lock.lock()
            busy.remove(key)
            lock.broadcast()
            lock.unlock()
        }
        return try upload()
    }
}
