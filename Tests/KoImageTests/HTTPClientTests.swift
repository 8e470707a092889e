import Foundation
import KoCrypto
import KoHTTP
import KoLog
import TestSupport
import Testing

/// The libcurl transport against a real local HTTP server.
struct HTTPClientTests {
    let server: HTTPTestServer
    let client = HTTPClient()

    init() throws {
        server = try HTTPTestServer.shared.get()
    }

    private func echo(_ response: HTTPResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body))
        return try #require(object as? [String: Any])
    }

    private func echoedHeaders(_ response: HTTPResponse) throws -> [String: String] {
        try #require(try echo(response)["headers"] as? [String: String])
    }

    @Test func getSendsHeadersAndCollectsRepeatedResponseHeaders() throws {
        let request = HTTPRequest(url: server.url("/echo"), headers: [("X-Test", "yes"), ("Accept", "a/b")])
        let response = try client.send(request)
        #expect(response.status == 200)
        #expect(response.headers["x-multi"] == ["one", "two"])
        #expect(response.header("Content-Type") == "application/json")
        let headers = try echoedHeaders(response)
        #expect(headers["x-test"] == "yes")
        #expect(headers["accept"] == "a/b")
        #expect(headers["user-agent"] == "ko")
        #expect(try echo(response)["method"] as? String == "GET")
    }

    @Test func postSendsByteBody() throws {
        let body = Array("grant_type=refresh_token".utf8)
        let response = try client.send(HTTPRequest(method: "POST", url: server.url("/echo"),
                                                   headers: [("Content-Type", "text/plain")], body: .bytes(body)))
        let answer = try echo(response)
        #expect(answer["method"] as? String == "POST")
        #expect(answer["bodyLength"] as? Int == body.count)
        #expect(answer["bodySHA256"] as? String == hexString(MessageDigest.sha256(of: body)))
        #expect(try echoedHeaders(response)["expect"] == nil)
    }

    @Test(arguments: ["PUT", "PATCH", "POST"])
    func uploadStreamsAWindowOfAFile(method: String) throws {
        let directory = try temporaryDirectory()
        let path = directory + "/body"
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(content).write(to: URL(fileURLWithPath: path))

        let request = HTTPRequest(method: method, url: server.url("/echo"),
                                  body: .file(path: path, offset: 1000, length: 200_000))
        let answer = try echo(try client.send(request))
        #expect(answer["method"] as? String == method)
        #expect(answer["bodyLength"] as? Int == 200_000)
        #expect(answer["bodySHA256"] as? String == hexString(MessageDigest.sha256(of: content[1000..<201_000])))
    }

    @Test func postWithoutBodySendsZeroContentLength() throws {
        let response = try client.send(HTTPRequest(method: "POST", url: server.url("/echo")))
        #expect(try echoedHeaders(response)["content-length"] == "0")
    }

    @Test func deleteIsSentAsIs() throws {
        let response = try client.send(HTTPRequest(method: "DELETE", url: server.url("/echo")))
        #expect(try echo(response)["method"] as? String == "DELETE")
    }

    @Test func headReturnsHeadersWithoutBody() throws {
        let response = try client.send(HTTPRequest(method: "HEAD", url: server.url("/bytes?n=12345")))
        #expect(response.status == 200)
        #expect(response.header("content-length") == "12345")
        #expect(response.body.isEmpty)
    }

    @Test func bodyOverTheLimitFails() throws {
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(url: server.url("/bytes?n=5000")), bodyLimit: 4096)
        }
        guard case let .bodyTooLarge(_, limit)? = error else {
            Issue.record("expected bodyTooLarge, got \(String(describing: error))")
            return
        }
        #expect(limit == 4096)
        #expect(try client.send(HTTPRequest(url: server.url("/bytes?n=4096")), bodyLimit: 4096).body.count == 4096)
    }

    @Test func errorStatusIsReturnedNotThrown() throws {
        let response = try client.send(HTTPRequest(url: server.url("/status/404")))
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self).contains("status 404"))
    }

    @Test func streamHandsEveryByteToTheSink() throws {
        let size = 3 << 20
        let digest = MessageDigest.sha256()
        var received = 0
        let response = try client.stream(HTTPRequest(url: server.url("/bytes?n=\(size)"))) { chunk in
            received += chunk.count
            digest.update(chunk)
        }
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(received == size)
        let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        #expect(hexString(digest.finalize()) == hexString(MessageDigest.sha256(of: expected)))
    }

    @Test func streamCollectsErrorBodiesInsteadOfSinkingThem() throws {
        var sinkCalls = 0
        let response = try client.stream(HTTPRequest(url: server.url("/status/403"))) { _ in sinkCalls += 1 }
        #expect(response.status == 403)
        #expect(sinkCalls == 0)
        #expect(String(decoding: response.body, as: UTF8.self).contains("TEST"))
    }

    struct SinkFull: Error {}

    @Test func sinkErrorAbortsTheTransferAndIsRethrown() throws {
        #expect(throws: SinkFull.self) {
            _ = try client.stream(HTTPRequest(url: server.url("/bytes?n=1000000"))) { _ in throw SinkFull() }
        }
    }

    @Test func redirectWithinTheOriginKeepsAuthorization() throws {
        let target = server.url("/echo")
        let request = HTTPRequest(url: server.url("/redirect?to=\(escape(target))"),
                                  headers: [("Authorization", "Bearer secret")])
        let response = try client.send(request)
        #expect(response.status == 200)
        #expect(response.url == target)
        #expect(try echoedHeaders(response)["authorization"] == "Bearer secret")
    }

    @Test func redirectToAnotherHostDropsAuthorization() throws {
        let target = server.otherOriginURL("/echo")
        let request = HTTPRequest(url: server.url("/redirect?to=\(escape(target))"),
                                  headers: [("Authorization", "Bearer secret"), ("X-Kept", "1")])
        let response = try client.send(request)
        #expect(response.status == 200)
        let headers = try echoedHeaders(response)
        #expect(headers["authorization"] == nil)
        #expect(headers["x-kept"] == "1")
    }

    @Test func relativeRedirectIsResolved() throws {
        let response = try client.send(HTTPRequest(url: server.url("/redirect?to=%2Fecho%3Fx%3D1")))
        #expect(response.url == server.url("/echo?x=1"))
        #expect(try echo(response)["path"] as? String == "/echo?x=1")
    }

    @Test(arguments: [(303, "GET", 0), (307, "PUT", 5), (308, "PUT", 5), (302, "PUT", 5)])
    func redirectMethodRules(code: Int, method: String, bodyLength: Int) throws {
        let request = HTTPRequest(method: "PUT", url: server.url("/redirect?code=\(code)&to=%2Fecho"),
                                  body: .bytes(Array("hello".utf8)))
        let answer = try echo(try client.send(request))
        #expect(answer["method"] as? String == method)
        #expect(answer["bodyLength"] as? Int == bodyLength)
    }

    @Test func tenRedirectsAreFollowedButNotEleven() throws {
        // /chain?n=N answers with N+1 redirects before /echo.
        #expect(try client.send(HTTPRequest(url: server.url("/chain?n=9"))).status == 200)
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(url: server.url("/chain?n=10")))
        }
        #expect(String(describing: error).contains("more than 10 redirects"))
    }

    @Test func redirectToAnotherSchemeIsRefused() throws {
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(url: server.url("/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd")))
        }
        #expect(String(describing: error).contains("scheme 'file' is not followed"))
    }

    @Test func connectionRefusedIsATransientErrorWithCurlsMessage() throws {
        let port = try Ports.free()
        let url = "http://127.0.0.1:\(port)/v2/?token=abc"
        let error = #expect(throws: HTTPError.self) { try client.send(HTTPRequest(url: url)) }
        #expect(error?.isTransient == true)
        guard case let .cannotConnect(failedURL, message)? = error else {
            Issue.record("expected no connection, got \(String(describing: error))")
            return
        }
        #expect(failedURL == url)
        #expect(message.lowercased().contains("connect"))
        #expect(!String(describing: error).contains("abc"))
    }

    @Test func missingUploadFileIsReported() throws {
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(method: "PUT", url: server.url("/echo"),
                                        body: .file(path: "/nonexistent/blob", length: 10)))
        }
        #expect(String(describing: error).contains("/nonexistent/blob"))
    }

    @Test func tlsFailureIsATransportError() throws {
        // The test server speaks plain HTTP; a TLS handshake with it must fail cleanly.
        let error = #expect(throws: HTTPError.self) {
            try client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
        guard case .transport? = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
    }

    @Test func untrustedCertificateIsRefused() throws {
        let tls = try HTTPTestServer.sharedTLS.get()
        let strict = HTTPClient(security: TransportSecurity(caFile: nil, caDirectory: nil))
        let error = #expect(throws: HTTPError.self) { try strict.send(HTTPRequest(url: tls.url("/echo"))) }
        guard case let .transport(_, message)? = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(message.lowercased().contains("certificate"))
    }

    @Test func extraCertificateFileIsTrusted() throws {
        let tls = try HTTPTestServer.sharedTLS.get()
        let trusting = HTTPClient(security: TransportSecurity(caFile: tls.certificatePath, caDirectory: nil))
        #expect(try trusting.send(HTTPRequest(url: tls.url("/echo"))).status == 200)
    }

    @Test func skippingVerificationAcceptsAnyCertificate() throws {
        let tls = try HTTPTestServer.sharedTLS.get()
        let insecure = HTTPClient(security: TransportSecurity(skipsVerification: true, caFile: nil, caDirectory: nil))
        #expect(try insecure.send(HTTPRequest(url: tls.url("/echo"))).status == 200)
    }

    @Test func redirectFromHTTPSToHTTPIsRefused() throws {
        let tls = try HTTPTestServer.sharedTLS.get()
        let insecure = HTTPClient(security: TransportSecurity(skipsVerification: true, caFile: nil, caDirectory: nil))
        let target = escape(server.url("/echo"))
        let error = #expect(throws: HTTPError.self) {
            try insecure.send(HTTPRequest(url: tls.url("/redirect?to=\(target)")))
        }
        #expect(String(describing: error).contains("downgrades https"))
    }

    @Test func stalledTransferIsAborted() throws {
        let impatient = HTTPClient(timeouts: HTTPTimeouts(connect: 5, lowSpeedLimit: 1, lowSpeedTime: 1))
        let error = #expect(throws: HTTPError.self) { try impatient.send(HTTPRequest(url: server.url("/stall"))) }
        guard case let .interrupted(_, message)? = error else {
            Issue.record("expected an interrupted exchange, got \(String(describing: error))")
            return
        }
        #expect(message.lowercased().contains("too slow"))
    }

    @Test func traceLogShowsExchangesWithSecretsRedacted() throws {
        let lines = LockedLines()
        let logger = Logger(minimumLevel: .trace) { _, line in lines.append(line) }
        let tracing = HTTPClient(logger: logger)
        _ = try tracing.send(HTTPRequest(url: server.url("/echo?sig=topsecret"),
                                         headers: [("Authorization", "Basic dXNlcjpwYXNz")]))
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("HTTP → GET"))
        #expect(text.contains("HTTP ← 200 GET"))
        #expect(text.contains("Authorization: Basic <redacted>"))
        #expect(!text.contains("dXNlcjpwYXNz"))
        #expect(!text.contains("topsecret"))
    }

    @Test func oneClientServesParallelRequests() throws {
        let failures = LockedLines()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            do {
                let response = try client.send(HTTPRequest(url: server.url("/bytes?n=\(1000 + index)")))
                if response.body.count != 1000 + index { failures.append("request \(index): wrong size") }
            } catch {
                failures.append("request \(index): \(error)")
            }
        }
        #expect(failures.all.isEmpty)
    }

    private func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// Lines gathered from several threads.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "/ko-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
