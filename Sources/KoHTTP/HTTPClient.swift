import CCurl
import Foundation
import KoLog

/// A blocking HTTP client over libcurl. One instance may be used from several
/// threads; each call takes an easy handle from a small pool so that
/// connections are reused.
///
/// Redirects are followed by the client itself (at most 10), and an
/// `Authorization` header is dropped when a redirect leaves the original
/// scheme+host+port. Every exchange is logged at `trace` with secrets redacted.
public final class HTTPClient: @unchecked Sendable {
    /// TLS verification and extra trusted certificates.
    public let security: TransportSecurity
    /// When a silent server is given up on.
    public let timeouts: HTTPTimeouts
    /// The `User-Agent` header of every request.
    public let userAgent: String
    /// Receives one `trace` entry per exchange, secrets redacted.
    public let logger: Logger
    /// `HOST:PORT:ADDRESS` entries pinning names to addresses, as `curl --resolve`.
    public let resolve: [String]

    /// Redirects followed per request before giving up.
    public static let maximumRedirects = 10
    /// Bytes of response headers accepted per exchange (curl already caps one
    /// line at 100 KiB; this caps a flood of lines).
    public static let headerSizeLimit = 256 << 10

    private let poolLock = NSLock()
    private var idleHandles: [CurlHandle] = []
    private static let maximumIdleHandles = 8

    /// The Unix socket every request goes through instead of TCP, for the
    /// Docker Engine API; set by `init(unixSocketPath:...)`.
    public internal(set) var unixSocketPath: String?

    /// A client; the defaults verify TLS against the system store plus
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR`, and take `KO_HTTP_STALL_TIMEOUT`.
    public init(security: TransportSecurity = TransportSecurity(),
                userAgent: String = "ko", logger: Logger = .silent,
                timeouts: HTTPTimeouts = HTTPTimeouts(environment: ProcessInfo.processInfo.environment),
                resolve: [String] = []) {
        self.resolve = resolve
        self.security = security
        self.userAgent = userAgent
        self.logger = logger
        self.timeouts = timeouts
    }

    /// Sends the request and returns the response with its body collected,
    /// failing with `bodyTooLarge` past `bodyLimit` bytes (default 4 MiB).
    ///
    /// Error responses (non-2xx) are returned, not thrown; their bodies are
    /// truncated to the limit rather than failing.
    public func send(_ request: HTTPRequest, bodyLimit: Int = 4 << 20) throws -> HTTPResponse {
        try followingRedirects(request) { hop in
            try exchange(hop, target: .collect(limit: bodyLimit))
        }
    }

    /// Sends the request and streams a 2xx response body into `sink` chunk by
    /// chunk; a non-2xx body is collected (capped) into the returned response.
    ///
    /// `head`, when given, sees the final status and headers (lowercased
    /// names) once, before the first chunk reaches `sink`. An error thrown by
    /// `head` or `sink` aborts the transfer and is rethrown as is.
    public func stream(_ request: HTTPRequest, head: ((Int, [String: [String]]) throws -> Void)? = nil,
                       into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        try withoutActuallyEscaping(sink) { sink in
            try withoutActuallyEscapingOptional(head) { head in
                try followingRedirects(request) { hop in
                    try exchange(hop, target: .stream(head: head, sink: sink))
                }
            }
        }
    }

    private func withoutActuallyEscapingOptional<Result>(
        _ head: ((Int, [String: [String]]) throws -> Void)?,
        _ body: (((Int, [String: [String]]) throws -> Void)?) throws -> Result) rethrows -> Result {
        guard let head else { return try body(nil) }
        return try withoutActuallyEscaping(head) { try body($0) }
    }

    // MARK: Redirects

    private func followingRedirects(_ request: HTTPRequest,
                                    _ send: (HTTPRequest) throws -> HTTPResponse) throws -> HTTPResponse {
        var current = request
        var hops = 0
        while true {
            let response = try send(current)
            guard let next = try redirection(from: current, response: response) else { return response }
            hops += 1
            guard hops <= HTTPClient.maximumRedirects else {
                throw HTTPError.redirect(url: request.url,
                                         reason: "more than \(HTTPClient.maximumRedirects) redirects")
            }
            logger.trace("HTTP redirect \(response.status) to \(Redaction.url(next.url))")
            current = next
        }
    }

    /// The request to send next when `response` is a redirect, or nil when it is
    /// the final answer.
    func redirection(from request: HTTPRequest, response: HTTPResponse) throws -> HTTPRequest? {
        guard [301, 302, 303, 307, 308].contains(response.status),
              let location = response.header("location") else { return nil }
        guard let base = URL(string: request.url),
              let target = URL(string: location, relativeTo: base)?.absoluteURL else {
            throw HTTPError.redirect(url: request.url, reason: "unusable Location '\(Redaction.url(location))'")
        }
        let scheme = target.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw HTTPError.redirect(url: request.url, reason: "scheme '\(scheme)' is not followed")
        }
        guard let origin = Origin(target.absoluteString) else {
            throw HTTPError.redirect(url: request.url, reason: "unusable Location '\(Redaction.url(location))'")
        }
        let from = Origin(request.url)
        if from?.scheme == "https" && origin.scheme == "http" {
            throw HTTPError.redirect(url: request.url, reason: "it downgrades https to plain http")
        }

        var next = request
        next.url = target.absoluteString
        if from != origin {
            // Credentials for one server must never reach another (a blob
            // redirect to a storage bucket, for one), and a server must not
            // steer the client at a metadata service.
            next.headers.removeAll { $0.name.lowercased() == "authorization" }
            next.forbidsSpecialAddresses = true
        }
        // RFC 9110 §15.4: 303 turns into GET; browsers and curl do the same for
        // a POST answered by 301/302.
        let becomesGet = response.status == 303 && request.method != "HEAD"
            || (response.status == 301 || response.status == 302) && request.method == "POST"
        if becomesGet {
            next.method = "GET"
            next.body = .none
            next.headers.removeAll { ["content-type", "content-length"].contains($0.name.lowercased()) }
        } else if from != origin, !request.body.isNone {
            // A 307/308 resends the body, which may hold a secret (a refresh
            // token in a form): never to another server.
            throw HTTPError.redirect(url: request.url, reason: "it would resend the request body to another "
                                     + "server (\(origin.host):\(origin.port))")
        }
        return next
    }

    // MARK: One exchange

    private func exchange(_ request: HTTPRequest, target: CurlTransfer.BodyTarget) throws -> HTTPResponse {
        if request.forbidsSpecialAddresses, let host = URLComponents(string: request.url)?.host,
           let reason = SpecialAddress.reason(forHost: host) {
            throw HTTPError.forbiddenAddress(url: request.url, address: host, reason: reason)
        }
        let transfer = try CurlTransfer(body: request.body, target: target, url: request.url,
                                        headerLimit: HTTPClient.headerSizeLimit,
                                        forbidsSpecialAddresses: request.forbidsSpecialAddresses,
                                        progress: request.uploadProgress)
        let handle = try takeHandle()
        defer { returnHandle(handle) }

        let headerList = try configure(handle, for: request, transfer: transfer)
        let resolveList = try CurlHeaderList(resolve)
        if !resolve.isEmpty {
            try handle.set(CURLOPT_RESOLVE, pointer: UnsafeMutableRawPointer(resolveList.raw), url: request.url)
        }
        let started = Date()
        logRequest(request)
        let outcome: Result<Void, Error> = withExtendedLifetime((transfer, headerList, resolveList)) {
            Result { try handle.perform(url: request.url) }
        }
        // An error document past its cap was cut on purpose: the response stands.
        if case let .failure(error) = outcome, !transfer.errorBodyCapped {
            throw failure(error, transfer: transfer, request: request, target: target)
        }

        var status = try handle.responseCode(url: request.url)
        if status == 0 { status = transfer.status }
        let response = HTTPResponse(status: status, headers: transfer.headers, body: transfer.body,
                                    url: request.url)
        logResponse(response, request: request, seconds: Date().timeIntervalSince(started))
        return response
    }

    /// The most precise error for a failed `curl_easy_perform`: what our own
    /// callbacks reported beats curl's generic "write error".
    private func failure(_ error: Error, transfer: CurlTransfer, request: HTTPRequest,
                         target: CurlTransfer.BodyTarget) -> Error {
        if let sinkError = transfer.sinkError { return sinkError }
        if let refused = transfer.refusedAddress {
            return HTTPError.forbiddenAddress(url: request.url, address: refused.address, reason: refused.reason)
        }
        if transfer.headersOverflowed {
            return HTTPError.headersTooLarge(url: request.url, limit: HTTPClient.headerSizeLimit)
        }
        if transfer.bodyOverflowed, case let .collect(limit) = target {
            return HTTPError.bodyTooLarge(url: request.url, limit: limit)
        }
        if let readError = transfer.readError { return readError }
        logger.trace("HTTP \(request.method) \(Redaction.url(request.url)) failed: \(error)")
        return error
    }

    private func configure(_ handle: CurlHandle, for request: HTTPRequest,
                           transfer: CurlTransfer) throws -> CurlHeaderList {
        let url = request.url
        try handle.reset()
        try handle.set(CURLOPT_URL, url, url: url)
        try handle.set(CURLOPT_NOSIGNAL, 1, url: url)
        try handle.set(CURLOPT_PROTOCOLS_STR, "http,https", url: url)
        try handle.set(CURLOPT_FOLLOWLOCATION, 0, url: url)
        try handle.set(CURLOPT_USERAGENT, userAgent, url: url)
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1, url: url)
        try handle.set(CURLOPT_CONNECTTIMEOUT, timeouts.connect, url: url)
        try handle.set(CURLOPT_LOW_SPEED_LIMIT, timeouts.lowSpeedLimit, url: url)
        try handle.set(CURLOPT_LOW_SPEED_TIME, min(timeouts.lowSpeedTime, request.stallSeconds ?? .max), url: url)
        try configureTLS(handle, url: url)
        if let unixSocketPath { try handle.set(CURLOPT_UNIX_SOCKET_PATH, unixSocketPath, url: url) }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try handle.set(CURLOPT_HEADERFUNCTION, callback: curlHeaderCallback, url: url)
        try handle.set(CURLOPT_HEADERDATA, pointer: context, url: url)
        try handle.set(CURLOPT_WRITEFUNCTION, callback: curlWriteCallback, url: url)
        try handle.set(CURLOPT_WRITEDATA, pointer: context, url: url)
        if transfer.forbidsSpecialAddresses {
            try handle.set(prereq: curlPrereqCallback, url: url)
            try handle.set(CURLOPT_PREREQDATA, pointer: context, url: url)
        }
        try configureMethod(handle, for: request, transfer: transfer, context: context)

        // "Expect:" stops curl from waiting for 100 Continue before a body,
        // which some registries never send.
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        lines.append("Expect:")
        let list = try CurlHeaderList(lines)
        try handle.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(list.raw), url: url)
        return list
    }

    private func configureMethod(_ handle: CurlHandle, for request: HTTPRequest, transfer: CurlTransfer,
                                 context: UnsafeMutableRawPointer) throws {
        let url = request.url
        let method = request.method.uppercased()
        let hasBody: Bool
        if case .none = request.body { hasBody = false } else { hasBody = true }

        switch method {
        case "GET" where !hasBody:
            try handle.set(CURLOPT_HTTPGET, 1, url: url)
        case "HEAD":
            try handle.set(CURLOPT_NOBODY, 1, url: url)
        case _ where hasBody || ["POST", "PUT", "PATCH"].contains(method):
            // Every body goes through the read callback so that files stream;
            // an empty body still sends "Content-Length: 0".
            try handle.set(CURLOPT_UPLOAD, 1, url: url)
            try handle.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(transfer.uploadLength), url: url)
            try handle.set(CURLOPT_READFUNCTION, callback: curlReadCallback, url: url)
            try handle.set(CURLOPT_READDATA, pointer: context, url: url)
            try handle.check(ko_curl_setopt_seek_callback(handle.raw, curlSeekCallback), url: url)
            try handle.set(CURLOPT_SEEKDATA, pointer: context, url: url)
            if method != "PUT" { try handle.set(CURLOPT_CUSTOMREQUEST, method, url: url) }
        default:
            try handle.set(CURLOPT_CUSTOMREQUEST, method, url: url)
        }
    }

    private func configureTLS(_ handle: CurlHandle, url: String) throws {
        if security.skipsVerification {
            try handle.set(CURLOPT_SSL_VERIFYPEER, 0, url: url)
            try handle.set(CURLOPT_SSL_VERIFYHOST, 0, url: url)
            return
        }
        // libcurl keeps its built-in system bundle unless CAINFO is replaced;
        // an extra bundle file therefore comes with the system directory as
        // CAPATH so that public CAs stay trusted.
        if let caFile = security.caFile, !caFile.isEmpty {
            try handle.set(CURLOPT_CAINFO, caFile, url: url)
            if security.caDirectory == nil, FileManager.default.fileExists(atPath: "/etc/ssl/certs") {
                try handle.set(CURLOPT_CAPATH, "/etc/ssl/certs", url: url)
            }
        }
        if let caDirectory = security.caDirectory, !caDirectory.isEmpty {
            try handle.set(CURLOPT_CAPATH, caDirectory, url: url)
        }
    }

    // MARK: Handle pool

    private func takeHandle() throws -> CurlHandle {
        poolLock.lock()
        let handle = idleHandles.popLast()
        poolLock.unlock()
        return try handle ?? CurlHandle()
    }

    private func returnHandle(_ handle: CurlHandle) {
        poolLock.lock()
        if idleHandles.count < HTTPClient.maximumIdleHandles { idleHandles.append(handle) }
        poolLock.unlock()
    }

    // MARK: Trace log

    private func logRequest(_ request: HTTPRequest) {
        guard logger.isEnabled(.trace) else { return }
        var lines = ["HTTP → \(request.method) \(Redaction.url(request.url))"]
        lines += request.headers.map { "  " + Redaction.header(name: $0.name, value: $0.value) }
        switch request.body {
        case .none: break
        case let .bytes(bytes): lines.append("  (\(bytes.count) bytes of body)")
        case let .file(path, _, length): lines.append("  (\(length) bytes of body from \(path))")
        }
        logger.trace(lines.joined(separator: "\n"))
    }

    private func logResponse(_ response: HTTPResponse, request: HTTPRequest, seconds: Double) {
        guard logger.isEnabled(.trace) else { return }
        let elapsed = String(format: "%.3fs", seconds)
        var lines = ["HTTP ← \(response.status) \(request.method) \(Redaction.url(request.url)) "
                     + "(\(response.body.count) body bytes kept, \(elapsed))"]
        for (name, values) in response.headers.sorted(by: { $0.key < $1.key }) {
            lines += values.map { "  " + Redaction.header(name: name, value: $0) }
        }
        logger.trace(lines.joined(separator: "\n"))
    }
}

/// Scheme, host and port of a URL: what decides whether credentials may follow a redirect.
struct Origin: Equatable {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: String) {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
    }
}
