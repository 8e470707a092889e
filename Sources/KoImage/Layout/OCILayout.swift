import KoCrypto
import KoJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OCI image layout directory (OCI image spec, "Image Layout"):
/// `oci-layout`, `index.json` and `blobs/sha256/<hex>`.
///
/// Blobs are written through a temporary file, verified against their
/// expected digest and size, and renamed into place, so a layout never
/// holds a partial or wrong blob. Reading and writing helpers live in
/// `OCILayout+Read.swift` and `OCILayout+Write.swift`.
public struct OCILayout: Sendable {
    /// The layout directory.
    public let path: String

    /// The index annotation that names an image in a layout.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    static let layoutFileContent = Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)

    /// Opens the layout at `path`, creating the directory, `oci-layout` and
    /// an empty `index.json` when they are missing.
    public init(creatingAt path: String) throws {
        self.path = path
        try LayerBuilder.makeDirectory(path + "/blobs/sha256")
        if access(path + "/oci-layout", F_OK) != 0 {
            try OutputFile.writeAtomically(Self.layoutFileContent, to: path + "/oci-layout")
        }
        if access(path + "/index.json", F_OK) != 0 {
            try OutputFile.writeAtomically(try ImageIndex().canonicalBytes(), to: path + "/index.json")
        }
    }

    /// Opens an existing layout, checking its `oci-layout` file.
    public init(openingAt path: String) throws {
        self.path = path
        let marker: [UInt8]
        do {
            marker = try InputFile.readAll(path: path + "/oci-layout", limit: 1 << 16)
        } catch {
            throw LayoutError.notALayout(path: path, reason: "it has no readable oci-layout file")
        }
        let json = try JSONValue(parsing: marker, document: "\(path)/oci-layout")
        guard json["imageLayoutVersion"]?.stringValue != nil else {
            throw LayoutError.notALayout(path: path, reason: "oci-layout has no imageLayoutVersion")
        }
    }

    /// Where the blob `digest` lives (or would live).
    public func blobPath(_ digest: Digest) -> String {
        "\(path)/blobs/\(digest.algorithm)/\(digest.hex)"
    }

    /// True when the blob is present.
    public func hasBlob(_ digest: Digest) -> Bool {
        access(blobPath(digest), F_OK) == 0
    }
}
