import Foundation

/// The fault-injecting proxy of `fault_proxy.py` on loopback: in front of a
/// real registry or token server, or alone as a scripted hostile server.
///
///     let proxy = try FaultProxy(upstreamPort: registry.port)
///     try proxy.plan([.init(method: "PATCH", path: "/blobs/uploads/", action: .resetRequest())])
///     // ... push through proxy.host ...
///     let injected = try proxy.injectedFaults()
///
/// The plan can change between steps; each request is logged (method, path,
/// Authorization scheme, the rule that fired), never a secret.
public final class FaultProxy: @unchecked Sendable {
    /// What a rule does to a matching request.
    public enum Action: Sendable {
        /// Answer `status` without forwarding (or after forwarding, with `forward`).
        case status(Int, headers: [(String, String)] = [], body: String? = nil, forward: Bool = false)
        /// Reset the connection after `after` bytes of the request body (nil: half).
        case resetRequest(after: Int? = nil)
        /// Forward, send the head and `after` body bytes (nil: half), then reset.
        case resetResponse(after: Int? = nil)
        /// Forward, send the head and half the body, then close.
        case truncate
        /// Say nothing for `seconds`, then close.
        case stall(seconds: Double = 60)
        /// Forward, send the head and half the body, then say nothing.
        case stallBody(seconds: Double = 60)
        /// Forward and flip one byte of the response body.
        case corrupt
        /// Flip one byte of the request body before forwarding.
        case corruptRequest
        /// Answer from the rule alone: a scripted hostile server.
        case respond(status: Int, headers: [(String, String)] = [], body: String = "")
        /// Answer from the rule alone with these exact bytes.
        case respondBytes(status: Int, headers: [(String, String)] = [], body: [UInt8])
        /// Answer `status` with `size` bytes, with or without a Content-Length.
        case respondSized(status: Int, headers: [(String, String)] = [], size: Int, chunked: Bool = false)
        /// Answer 302 to the same path with a growing counter, forever.
        case redirectLoop
        /// Answer `status` with an error document quoting the request's Authorization.
        case echoAuthorization(status: Int, headers: [(String, String)] = [])
    }

    /// One rule: which requests (method, a regular expression searched in the
    /// target), after how many matches (`skip`), how many times (-1: always).
    public struct Rule: Sendable {
        public var id: String
        public var method: String?
        public var path: String?
        public var action: Action
        public var times: Int
        public var skip: Int

        public init(_ id: String? = nil, method: String? = nil, path: String? = nil, action: Action,
                    times: Int = 1, skip: Int = 0) {
            self.id = id ?? UUID().uuidString
            self.method = method
            self.path = path
            self.action = action
            self.times = times
            self.skip = skip
        }

        var json: [String: Any] {
            var object: [String: Any] = ["id": id, "times": times, "skip": skip]
            if let method { object["method"] = method }
            if let path { object["path"] = path }
            func pairs(_ headers: [(String, String)]) -> [[String]] { headers.map { [$0.0, $0.1] } }
            switch action {
            case let .status(code, headers, body, forward):
                object["action"] = "status"
                object["status"] = code
                object["headers"] = pairs(headers)
                object["forward"] = forward
                if let body { object["body"] = body }
            case let .resetRequest(after):
                object["action"] = "reset_request"
                if let after { object["after"] = after }
            case let .resetResponse(after):
                object["action"] = "reset_response"
                if let after { object["after"] = after }
            case .truncate:
                object["action"] = "truncate"
            case let .stall(seconds):
                object["action"] = "stall"
                object["seconds"] = seconds
            case let .stallBody(seconds):
                object["action"] = "stall_body"
                object["seconds"] = seconds
            case .corrupt:
                object["action"] = "corrupt"
            case .corruptRequest:
                object["action"] = "corrupt_request"
            case let .respond(status, headers, body):
                object["action"] = "respond"
                object["status"] = status
                object["headers"] = pairs(headers)
                object["body"] = body
            case let .respondBytes(status, headers, body):
                object["action"] = "respond"
                object["status"] = status
                object["headers"] = pairs(headers)
                object["body_b64"] = Data(body).base64EncodedString()
            case let .respondSized(status, headers, size, chunked):
                object["action"] = "respond"
                object["status"] = status
                object["headers"] = pairs(headers)
                object["body_size"] = size
                object["chunked"] = chunked
            case .redirectLoop:
                object["action"] = "respond"
                object["redirect_loop"] = true
            case let .echoAuthorization(status, headers):
                object["action"] = "respond"
                object["status"] = status
                object["headers"] = pairs(headers)
                object["echo_auth"] = true
            }
            return object
        }
    }

    /// One logged request.
    public struct Entry: Decodable, Sendable {
        public let method: String
        public let path: String
        public let host: String?
        /// The scheme of the Authorization header (`Basic`, `Bearer`), nil without one.
        public let auth: String?
        /// The id of the rule that fired, nil when the request passed untouched.
        public let fault: String?
        public let action: String?
    }

    /// The first port; `ports` has all of them.
    public let port: Int
    public let ports: [Int]
    /// `127.0.0.1:PORT`.
    public var host: String { "127.0.0.1:\(port)" }
    /// The upstream `127.0.0.1:PORT`, nil for a scripted server.
    public let upstream: String?
    public let directory: String
    /// Token values seen in forwarded JSON answers, when `capturesTokens`.
    public let tokenFile: String
    private let planPath: String
    private let logPath: String
    private let process: ProcessFixture

    /// The certificate of an HTTPS proxy, to trust in clients.
    public let certificatePath: String?

    /// Starts a proxy to `127.0.0.1:upstreamPort` (nil: a scripted server only)
    /// on `listen` loopback ports; with `tlsNames`, over HTTPS with a fresh
    /// self-signed certificate for those DNS names and 127.0.0.1.
    public init(upstreamPort: Int?, listen: Int = 1, capturesTokens: Bool = false, tlsNames: [String]? = nil) throws {
        directory = try ProcessFixture.temporaryDirectory("ko-fault-proxy")
        planPath = directory + "/plan.json"
        logPath = directory + "/requests.jsonl"
        tokenFile = directory + "/tokens.txt"
        upstream = upstreamPort.map { "127.0.0.1:\($0)" }
        let portFile = directory + "/port"
        var config: [String: Any] = ["port_file": portFile, "plan_file": planPath, "log_file": logPath,
                                     "listen": listen, "upstream": upstream ?? NSNull()]
        if capturesTokens { config["token_file"] = tokenFile }
        if let tlsNames {
            let certificate = directory + "/cert.pem"
            let key = directory + "/key.pem"
            let names = (tlsNames.map { "DNS:\($0)" } + ["IP:127.0.0.1"]).joined(separator: ",")
            try ProcessRunner.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                                "-out", certificate, "-days", "2", "-subj", "/CN=ko-hostile",
                                                "-addext", "subjectAltName=\(names)"])
            config["cert"] = certificate
            config["key"] = key
            certificatePath = certificate
        } else {
            certificatePath = nil
        }
        let configPath = directory + "/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        try Data(#"{"rules":[]}"#.utf8).write(to: URL(fileURLWithPath: planPath))
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = try ProcessFixture(name: "fault proxy", executable: "python3",
                                     arguments: [try ProcessFixture.resource("fault_proxy.py"), configPath],
                                     logPath: directory + "/proxy.log")
        port = try process.waitForPortFile(portFile)
        let all = (try? String(contentsOfFile: portFile + ".all", encoding: .utf8)) ?? "\(port)"
        ports = all.split(separator: "\n").compactMap { Int($0) }
    }

    deinit { process.stop() }

    public func stop() { process.stop() }

    /// Replaces the plan; counters of rules with new ids start at zero.
    public func plan(_ rules: [Rule]) throws {
        let data = try JSONSerialization.data(withJSONObject: ["rules": rules.map(\.json)])
        let temporary = planPath + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, planPath) == 0 else {
            throw ProcessFixtureError.launchFailed(command: "fault plan", reason: "cannot replace \(planPath)")
        }
    }

    /// Every request so far, oldest first.
    public func requests() throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Entry.self, from: Data($0)) }
    }

    /// The requests a rule fired on.
    public func injectedFaults() throws -> [Entry] { try requests().filter { $0.fault != nil } }

    /// Tokens captured from answers (with `capturesTokens`).
    public func capturedTokens() -> [String] {
        guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// The proxy's own log, for failure messages.
    public func logTail() -> String { process.logTail() }
}
