/// What a request sends as its body.
public enum HTTPBody: Sendable {
    case none
    case bytes([UInt8])
    /// Streams `length` bytes of the file from `offset`, never loading it whole.
    case file(path: String, offset: UInt64 = 0, length: UInt64)

    /// Whether there is no body at all.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

/// One HTTP request. Header names are case-insensitive.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: HTTPBody
    /// Refuse to talk to link-local, metadata and unspecified addresses
    /// (`SpecialAddress`), checked on the connected address. Set for token
    /// realms a registry names, and on every redirect that changes origin.
    public var forbidsSpecialAddresses: Bool
    /// Called with the running total of body bytes handed to the network.
    public var uploadProgress: (@Sendable (Int64) -> Void)?
    /// A shorter stall time than the client's, for exchanges that carry a
    /// few bytes and should answer at once (a registry ping).
    public var stallSeconds: Int?

    public init(method: String = "GET", url: String,
                headers: [(name: String, value: String)] = [], body: HTTPBody = .none,
                forbidsSpecialAddresses: Bool = false, uploadProgress: (@Sendable (Int64) -> Void)? = nil,
                stallSeconds: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.forbidsSpecialAddresses = forbidsSpecialAddresses
        self.uploadProgress = uploadProgress
        self.stallSeconds = stallSeconds
    }
}

/// One HTTP response. `headers` keys are lowercased; repeated headers are kept in order.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: [String]]
    public var body: [UInt8]
    /// The URL that finally answered, after redirects.
    public var url: String

    public init(status: Int, headers: [String: [String]], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()]?.first }
}
