import KoLog

extension HTTPClient {
    /// A client that sends every request to the HTTP server listening on the
    /// Unix socket at `path` (a Docker or podman engine), whatever host the
    /// URL names: the host only fills the `Host` header, so use
    /// `http://localhost/...` URLs.
    public convenience init(unixSocketPath path: String, userAgent: String = "ko", logger: Logger = .silent,
                            timeouts: HTTPTimeouts = HTTPTimeouts()) {
        self.init(security: TransportSecurity(caFile: nil, caDirectory: nil), userAgent: userAgent,
                  logger: logger, timeouts: timeouts)
        unixSocketPath = path
    }
}
