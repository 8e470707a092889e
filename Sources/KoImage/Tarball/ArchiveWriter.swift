import KoCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tar file written beside its destination and renamed into place when
/// complete, so a reader never sees half an archive. Blobs stream through
/// and are checked against their descriptors on the way.
final class ArchiveWriter {
    let path: String
    private let temporary: String
    private let output: OutputFile
    let tar: TarWriter
    private var committed = false
    /// Entry names already written, so shared blobs go in once.
    private var written: Set<String> = []

    init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let output = try OutputFile(path: temporary)
        self.output = output
        tar = TarWriter { try output.write($0) }
    }

    deinit {
        if !committed { unlink(temporary) }
    }

    /// Adds a small file held in memory, unless an entry of that name exists.
    func addFile(_ name: String, bytes: [UInt8]) throws {
        guard written.insert(name).inserted else { return }
        try tar.addFile(name, bytes: bytes, mode: 0o644)
    }

    func addDirectory(_ name: String) throws {
        guard written.insert(name).inserted else { return }
        try tar.addDirectory(name, mode: 0o755)
    }

    /// Adds the blob `descriptor` as `name`, streamed from `source` and
    /// verified against the descriptor's size and digest.
    func addBlob(_ name: String, descriptor: Descriptor, from source: ImageBlobs) throws {
        guard written.insert(name).inserted else { return }
        let hasher = MessageDigest.sha256()
        var size: Int64 = 0
        try tar.addFile(name, size: descriptor.size, mode: 0o644) { sink in
            try source.stream(descriptor, archive: path) { chunk in
                size += Int64(chunk.count)
                guard size <= descriptor.size else { throw mismatch(descriptor, size: size, digest: nil) }
                hasher.update(chunk)
                try sink(chunk)
            }
            guard size == descriptor.size else { throw mismatch(descriptor, size: size, digest: nil) }
        }
        let actual = Digest(hex: hexString(hasher.finalize()))
        guard descriptor.digest.algorithm != "sha256" || actual == descriptor.digest else {
            throw mismatch(descriptor, size: size, digest: actual)
        }
    }

    /// Ends the archive and moves it to `path`.
    func commit() throws {
        try tar.finish()
        try output.close()
        try OutputFile.rename(temporary, to: path)
        committed = true
    }

    private func mismatch(_ descriptor: Descriptor, size: Int64, digest: Digest?) -> TarballError {
        .blobMismatch(digest: descriptor.digest, expectedSize: descriptor.size, actualSize: size,
                      actualDigest: digest, archive: path)
    }
}

/// Where the blobs of one built image come from: its config and manifest
/// bytes, its added layers' files, and the base image's blob source.
struct ImageBlobs {
    var images: [BuiltImage]
    var extra: [Digest: [UInt8]] = [:]
    var baseBlobs: BlobSource?

    func stream(_ descriptor: Descriptor, archive: String,
                to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let bytes = extra[descriptor.digest] {
            return try bytes.withUnsafeBytes { try sink($0) }
        }
        for image in images {
            if descriptor.digest == image.configDescriptor.digest {
                return try image.configBytes.withUnsafeBytes { try sink($0) }
            }
            if descriptor.digest == image.manifestDescriptor.digest {
                return try image.manifestBytes.withUnsafeBytes { try sink($0) }
            }
            if let layer = image.addedLayers.first(where: { $0.digest == descriptor.digest }) {
                try InputFile(path: layer.path).forEachChunk { try sink($0) }
                return
            }
        }
        guard let baseBlobs else { throw TarballError.missingBlob(digest: descriptor.digest, archive: archive) }
        try baseBlobs.streamBlob(descriptor, to: sink)
    }
}
