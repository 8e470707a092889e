import Foundation
import KoImage
import KoJSON

/// SPDX 2.3 JSON documents describing what ko built, as ko writes them
/// (ko's `pkg/sbom`): one for each image, one for a multi-platform index.
///
/// An image document describes the image (a CONTAINER package with an OCI
/// purl), the base image it DESCENDANT_OF (from the manifest's
/// `org.opencontainers.image.base.*` annotations), the main Go module the
/// image CONTAINS, and every module that DEPENDS_ON lists, with golang
/// purls and the go.sum `h1:` hash as a SHA256 checksum. The creation time is
/// the image config's `created` (SOURCE_DATE_EPOCH, or Go's zero time), so
/// the same build gives the same bytes.
///
/// Unlike ko, identifiers are reduced to the characters SPDX allows
/// (`SPDXRef-Package-example.com.app--devel-` rather than `...-(devel)`),
/// so that SPDX validators accept the document.
public enum SPDXDocument {
    public static let spdxVersion = "SPDX-2.3"
    static let noAssertion = "NOASSERTION"

    /// The SBOM of `image`, built from a Go binary whose `go version -m`
    /// output is `buildInfo`. `koVersion` goes into `creationInfo.creators`.
    public static func forImage(_ image: BuiltImage, buildInfo: GoBuildInfo, koVersion: String) throws -> [UInt8] {
        guard let main = buildInfo.main else {
            throw SBOMError.invalidBuildInfo(line: 1, text: "",
                                             reason: "there is no 'mod' line naming the main module")
        }
        let imageID = ociPackageID(image.digest)
        var packages: [JSONValue] = []
        var relationships: [JSONValue] = [relationship(documentID, "DESCRIBES", imageID)]

        let mediaType = image.manifest.mediaType ?? image.manifestDescriptor.mediaType
        packages.append(package(id: imageID, name: image.digest.description, purpose: "CONTAINER",
                                purl: PackageURL.oci(name: "image", digest: image.digest.description,
                                                     qualifiers: [("mediaType", mediaType)])))
        if let base = try baseImage(annotations: image.manifest.annotations, describedBy: imageID) {
            packages.append(base.package)
            relationships.append(base.relationship)
        }

        let mainID = modulePackageID(main)
        relationships.append(relationship(imageID, "CONTAINS", mainID))
        packages.append(package(id: mainID, name: main.path, downloadLocation: "https://" + main.path,
                                purl: PackageURL.golang(path: main.path, version: main.version)))
        for dependency in buildInfo.dependencies {
            let id = modulePackageID(dependency)
            relationships.append(relationship(mainID, "DEPENDS_ON", id))
            let checksum = h1ToSHA256(dependency.sum).map { [("SHA256", $0)] } ?? []
            packages.append(package(id: id, name: dependency.path, version: dependency.version,
                                    downloadLocation: "https://proxy.golang.org/\(dependency.path)/@v/"
                                        + "\(dependency.version).zip",
                                    checksums: checksum,
                                    purl: PackageURL.golang(path: dependency.path, version: dependency.version)))
        }
        return document(describing: imageID, digest: image.digest, created: image.config.created,
                        koVersion: koVersion, packages: packages, relationships: relationships)
    }

    /// The SBOM of a multi-platform index: the index (with the base image
    /// from its annotations) and each platform's image as a VARIANT_OF it.
    /// `images` must hold the image of every manifest the index lists; the
    /// creation time is the first one's.
    public static func forIndex(_ index: ImageIndex, descriptor: Descriptor, images: [BuiltImage],
                                koVersion: String) throws -> [UInt8] {
        let indexID = ociPackageID(descriptor.digest)
        let mediaType = index.mediaType ?? descriptor.mediaType
        var packages = [package(id: indexID, name: descriptor.digest.description, purpose: "CONTAINER",
                                checksums: [digestChecksum(descriptor.digest)],
                                purl: PackageURL.oci(name: "index", digest: descriptor.digest.description,
                                                     qualifiers: [("mediaType", mediaType)]))]
        var relationships: [JSONValue] = []
        if let base = try baseImage(annotations: index.annotations, describedBy: indexID) {
            packages.append(base.package)
            relationships.append(base.relationship)
        }
        for entry in index.manifests {
            guard MediaType.isManifest(entry.mediaType) else {
                throw SBOMError.invalidReference(descriptor.digest.description,
                                                 reason: "it lists \(entry.mediaType), not an image manifest")
            }
            let id = ociPackageID(entry.digest)
            relationships.append(relationship(indexID, "VARIANT_OF", id))
            packages.append(package(id: id, name: entry.digest.description, version: entry.platform?.description,
                                    purpose: "CONTAINER", checksums: [digestChecksum(entry.digest)],
                                    purl: PackageURL.oci(name: "image", digest: entry.digest.description,
                                                         qualifiers: platformQualifiers(entry))))
        }
        let first = index.manifests.first.flatMap { entry in images.first { $0.digest == entry.digest } }
        guard let first else {
            throw SBOMError.invalidReference(descriptor.digest.description,
                                             reason: "the image of its first manifest was not given")
        }
        return document(describing: indexID, digest: descriptor.digest, created: first.config.created,
                        koVersion: koVersion, packages: packages, relationships: relationships)
    }

    // MARK: - Pieces

    static let documentID = "SPDXRef-DOCUMENT"

    private static func document(describing id: String, digest: Digest, created: String?, koVersion: String,
                                 packages: [JSONValue], relationships: [JSONValue]) -> [UInt8] {
        var members: JSONObject = [
            "SPDXID": .string(documentID),
            "name": .string("sbom-\(digest)"),
            "spdxVersion": .string(spdxVersion),
            "creationInfo": .object([
                "created": .string(creationTime(created)),
                "creators": .array([.string("Tool: ko \(koVersion)")]),
            ]),
            "dataLicense": .string("CC0-1.0"),
            "documentNamespace": .string("http://spdx.org/spdxdocs/ko/\(digest)"),
            "documentDescribes": .array([.string(id)]),
        ]
        if !packages.isEmpty { members["packages"] = .array(packages) }
        if !relationships.isEmpty { members["relationships"] = .array(relationships) }
        return encode(.object(members))
    }

    /// The text as Go's `json.Encoder` with `SetIndent("", "  ")` writes ko's
    /// SPDX structs: members in field order, two spaces per level, `<`, `>`
    /// and `&` escaped, and a final newline.
    static func encode(_ document: JSONValue) -> [UInt8] {
        JSONWriter.bytes(document, options: JSONWriter.Options(escapesHTML: true, indent: "  ")) + [0x0A]
    }

    private static func package(id: String, name: String, version: String? = nil,
                                downloadLocation: String = noAssertion, purpose: String? = nil,
                                checksums: [(String, String)] = [], purl: String) -> JSONValue {
        var members: JSONObject = ["SPDXID": .string(id), "name": .string(name)]
        if let version, !version.isEmpty { members["versionInfo"] = .string(version) }
        members["filesAnalyzed"] = .bool(false)
        members["licenseDeclared"] = .string(noAssertion)
        members["licenseConcluded"] = .string(noAssertion)
        members["downloadLocation"] = .string(downloadLocation)
        members["copyrightText"] = .string(noAssertion)
        if let purpose { members["primaryPackagePurpose"] = .string(purpose) }
        if !checksums.isEmpty {
            members["checksums"] = .array(checksums.map { algorithm, value in
                .object(["algorithm": .string(algorithm), "checksumValue": .string(value)])
            })
        }
        members["externalRefs"] = .array([.object([
            "referenceCategory": .string("PACKAGE-MANAGER"),
            "referenceLocator": .string(purl),
            "referenceType": .string("purl"),
        ])])
        return .object(members)
    }

    private static func relationship(_ element: String, _ type: String, _ related: String) -> JSONValue {
        .object([
            "spdxElementId": .string(element),
            "relationshipType": .string(type),
            "relatedSpdxElement": .string(related),
        ])
    }

    /// The base image package and its DESCENDANT_OF relationship, when both
    /// base annotations are present.
    private static func baseImage(annotations: [String: String]?, describedBy id: String) throws
        -> (package: JSONValue, relationship: JSONValue)? {
        guard let reference = annotations?[ImageMutation.baseNameAnnotation],
              let digestText = annotations?[ImageMutation.baseDigestAnnotation] else { return nil }
        guard let digest = try? Digest(parsing: digestText) else {
            throw SBOMError.invalidReference(reference,
                                             reason: "its digest annotation '\(digestText)' is not a digest")
        }
        let name = try BaseImageName(parsing: reference)
        var qualifiers = [(key: "repository_url", value: name.repository)]
        if let tag = name.tag { qualifiers.append((key: "tag", value: tag)) }
        let baseID = ociPackageID(digest)
        let package = package(id: baseID, name: "\(name.repository)@\(digest)", version: reference,
                              checksums: [digestChecksum(digest)],
                              purl: PackageURL.oci(name: "image", digest: digest.description, qualifiers: qualifiers))
        return (package, relationship(id, "DESCENDANT_OF", baseID))
    }

    private static func platformQualifiers(_ entry: Descriptor) -> [(key: String, value: String)] {
        var qualifiers = [(key: "mediaType", value: entry.mediaType)]
        guard let platform = entry.platform else { return qualifiers }
        qualifiers += [(key: "arch", value: platform.architecture), (key: "os", value: platform.os)]
        if let variant = platform.variant, !variant.isEmpty { qualifiers.append((key: "variant", value: variant)) }
        if let osVersion = platform.osVersion, !osVersion.isEmpty {
            qualifiers.append((key: "os-version", value: osVersion))
        }
        for feature in platform.osFeatures ?? [] { qualifiers.append((key: "os-feature", value: feature)) }
        return qualifiers
    }

    static func ociPackageID(_ digest: Digest) -> String {
        PackageURL.spdxID("Package-\(digest.algorithm)-\(digest.hex)")
    }

    static func modulePackageID(_ module: GoBuildInfo.Module) -> String {
        PackageURL.spdxID("Package-\(module.path.replacingOccurrences(of: "/", with: "."))-\(module.version)")
    }

    private static func digestChecksum(_ digest: Digest) -> (String, String) {
        (digest.algorithm.uppercased(), digest.hex)
    }

    /// The go.sum `h1:` hash (base64 of a SHA-256) as hex, as ko reports it;
    /// nil for no or another kind of hash.
    static func h1ToSHA256(_ sum: String) -> String? {
        guard sum.hasPrefix("h1:"), let bytes = Data(base64Encoded: String(sum.dropFirst(3))), !bytes.isEmpty else {
            return nil
        }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// ko prints the config's time with Go's layout `2006-01-02T15:04:05Z`:
    /// the date and time as written, fraction and zone dropped.
    static func creationTime(_ created: String?) -> String {
        guard let created, created.count >= 19 else { return ImageTime.goZero }
        return String(created.prefix(19)) + "Z"
    }
}
