import KoJSON

/// An image configuration (OCI image spec, "Image Configuration"; Docker's
/// image JSON), kept as JSON so that every key of a base image's config,
/// known or not, survives into the image built on it.
///
/// The typed properties read and write the fields ko touches. Setting a
/// property to nil removes its key, as Go's `omitempty` drops empty fields.
///
/// Two configs are equal when their canonical bytes, and so their digests,
/// are: member order and repeated keys of the parsed JSON do not count.
public struct ImageConfig: Hashable, Sendable {
    /// The whole document.
    public var json: JSONValue

    /// A config from its JSON object.
    public init(json: JSONValue) throws {
        guard json.objectValue != nil else {
            throw ModelError.invalidDocument(document: "image config", reason: "it is not a JSON object")
        }
        self.json = json
    }

    /// Parses config bytes as a registry or layout returned them.
    public init(parsing bytes: [UInt8]) throws {
        try self.init(json: JSONValue(parsing: bytes, document: "image config"))
    }

    /// An empty config for `platform`, with an empty rootfs.
    public init(platform: Platform) {
        json = .object([
            "architecture": .string(platform.architecture),
            "os": .string(platform.os),
            "rootfs": .object(["type": .string("layers"), "diff_ids": .array([])]),
            "config": .object([:]),
        ])
        variant = platform.variant
        osVersion = platform.osVersion
    }

    /// The canonical bytes, the ones to hash and push.
    public var canonicalBytes: [UInt8] { json.canonicalBytes }

    /// The sha256 digest of `canonicalBytes`.
    public var digest: Digest { Digest.sha256(of: canonicalBytes) }

    public static func == (lhs: ImageConfig, rhs: ImageConfig) -> Bool {
        lhs.canonicalBytes == rhs.canonicalBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalBytes)
    }

    // MARK: - Top-level fields

    public var architecture: String? {
        get { json["architecture"]?.stringValue }
        set { json["architecture"] = newValue.map { .string($0) } }
    }

    public var os: String? {
        get { json["os"]?.stringValue }
        set { json["os"] = newValue.map { .string($0) } }
    }

    public var variant: String? {
        get { json["variant"]?.stringValue }
        set { json["variant"] = newValue.flatMap { $0.isEmpty ? nil : .string($0) } }
    }

    /// `os.version` (Windows images).
    public var osVersion: String? {
        get { json["os.version"]?.stringValue }
        set { json["os.version"] = newValue.flatMap { $0.isEmpty ? nil : .string($0) } }
    }

    /// `created`, as RFC 3339 text.
    public var created: String? {
        get { json["created"]?.stringValue }
        set { json["created"] = newValue.map { .string($0) } }
    }

    public var author: String? {
        get { json["author"]?.stringValue }
        set { json["author"] = newValue.flatMap { $0.isEmpty ? nil : .string($0) } }
    }

    /// The platform this config describes.
    public var platform: Platform {
        Platform(os: os ?? "", architecture: architecture ?? "", variant: variant, osVersion: osVersion)
    }

    // MARK: - config.*

    /// `config.Entrypoint`.
    public var entrypoint: [String]? {
        get { containerField("Entrypoint")?.stringArray }
        set { setContainerField("Entrypoint", newValue.flatMap { $0.isEmpty ? nil : .strings($0) }) }
    }

    /// `config.Cmd`.
    public var cmd: [String]? {
        get { containerField("Cmd")?.stringArray }
        set { setContainerField("Cmd", newValue.flatMap { $0.isEmpty ? nil : .strings($0) }) }
    }

    /// `config.Env`, `KEY=value` strings in order.
    public var env: [String]? {
        get { containerField("Env")?.stringArray }
        set { setContainerField("Env", newValue.flatMap { $0.isEmpty ? nil : .strings($0) }) }
    }

    /// `config.User`.
    public var user: String? {
        get { containerField("User")?.stringValue }
        set { setContainerField("User", newValue.flatMap { $0.isEmpty ? nil : .string($0) }) }
    }

    /// `config.WorkingDir`.
    public var workingDir: String? {
        get { containerField("WorkingDir")?.stringValue }
        set { setContainerField("WorkingDir", newValue.flatMap { $0.isEmpty ? nil : .string($0) }) }
    }

    /// `config.Labels`.
    public var labels: [String: String]? {
        get { containerField("Labels")?.stringMap }
        set { setContainerField("Labels", newValue.flatMap { $0.isEmpty ? nil : .stringMap($0) }) }
    }

    // MARK: - rootfs and history

    /// `rootfs.diff_ids`, in layer order.
    public func diffIDs() throws -> [Digest] {
        guard let rootfs = json["rootfs"], rootfs != .null else { return [] }
        guard let values = rootfs["diff_ids"] else { return [] }
        if values == .null { return [] }
        guard let strings = values.stringArray else {
            throw ModelError.invalidDocument(document: "image config", reason: "rootfs.diff_ids is not a string list")
        }
        return try strings.map { try Digest(parsing: $0) }
    }

    /// Replaces `rootfs.diff_ids`, setting `rootfs.type` to `layers` if missing.
    public mutating func setDiffIDs(_ diffIDs: [Digest]) {
        var rootfs = json["rootfs"] ?? .object([:])
        if rootfs.objectValue == nil { rootfs = .object([:]) }
        if rootfs["type"] == nil { rootfs["type"] = .string("layers") }
        rootfs["diff_ids"] = .strings(diffIDs.map(\.description))
        json["rootfs"] = rootfs
    }

    /// `history`, each entry read leniently.
    public var history: [HistoryEntry] {
        (json["history"]?.arrayValue ?? []).map(HistoryEntry.init(json:))
    }

    /// Appends to `history`, leaving existing entries byte for byte as they were.
    public mutating func appendHistory(_ entry: HistoryEntry) {
        var entries = json["history"]?.arrayValue ?? []
        entries.append(entry.json)
        json["history"] = .array(entries)
    }

    // MARK: - Private

    private func containerField(_ key: String) -> JSONValue? {
        guard let container = json["config"], container != .null else { return nil }
        let value = container[key]
        return value == .null ? nil : value
    }

    private mutating func setContainerField(_ key: String, _ value: JSONValue?) {
        var container = json["config"] ?? .object([:])
        if container.objectValue == nil { container = .object([:]) }
        container[key] = value
        json["config"] = container
    }
}
