import Foundation

/// How long the transport waits before giving up on a server.
///
/// There is no overall deadline (a layer upload may legitimately take long);
/// a transfer stalls out instead when it moves less than `lowSpeedLimit` bytes
/// per second for `lowSpeedTime` seconds.
public struct HTTPTimeouts: Sendable {
    /// Seconds to wait for the TCP and TLS handshakes.
    public var connect: Int
    /// Bytes per second below which a transfer counts as stalled.
    public var lowSpeedLimit: Int
    /// Seconds a transfer may stay stalled before it is aborted.
    public var lowSpeedTime: Int

    /// Defaults: 30 s to connect; abort after 120 s below 1 byte/s.
    public init(connect: Int = 30, lowSpeedLimit: Int = 1, lowSpeedTime: Int = 120) {
        self.connect = connect
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
    }

    /// The defaults, with `KO_HTTP_STALL_TIMEOUT` (whole seconds) replacing
    /// both the connect timeout and the stall time when it is a positive number.
    public init(environment: [String: String]) {
        self.init()
        if let text = environment["KO_HTTP_STALL_TIMEOUT"], let seconds = Int(text), seconds > 0 {
            connect = seconds
            lowSpeedTime = seconds
        }
    }
}

/// How TLS and plain HTTP are allowed for one client.
public struct TransportSecurity: Sendable {
    /// Skip certificate verification (only for `--insecure-registry`).
    public var skipsVerification: Bool
    /// Extra CA bundle file and directory, from `SSL_CERT_FILE` / `SSL_CERT_DIR` by default.
    public var caFile: String?
    public var caDirectory: String?

    public init(skipsVerification: Bool = false,
                caFile: String? = ProcessInfo.processInfo.environment["SSL_CERT_FILE"],
                caDirectory: String? = ProcessInfo.processInfo.environment["SSL_CERT_DIR"]) {
        self.skipsVerification = skipsVerification
        self.caFile = caFile
        self.caDirectory = caDirectory
    }
}
