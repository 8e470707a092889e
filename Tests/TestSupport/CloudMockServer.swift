import Foundation

/// The loopback cloud token endpoints of `Resources/cloud_mock_server.py`
/// (Google OAuth2/STS/IAM/metadata, Entra ID, ACR exchange, AWS STS, ECR
/// Public, and a counting proxy to moto), configured by a JSON object whose
/// secrets go to a 0600 file, never to a command line.
public final class CloudMockServer {
    /// One request the server received.
    public struct Request {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: String

        /// The body's form fields.
        public var form: [String: String] {
            var fields: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return fields
        }
    }

    public let scratch: CloudScratch
    private let server: CloudServerProcess
    private let logPath: String

    public var port: Int { server.port }
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    public init(config: [String: Any]) throws {
        scratch = try CloudScratch()
        logPath = scratch.path + "/requests.jsonl"
        var config = config
        config["log"] = logPath
        let configPath = try scratch.writeJSON("config.json", config)
        server = try CloudServerProcess(name: "cloud_mock_server.py", executable: "python3",
                                        arguments: [CloudTools.resource("cloud_mock_server.py"), configPath])
    }

    /// Every request received so far, in order.
    public func requests() -> [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            return Request(method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                           headers: object["headers"] as? [String: String] ?? [:],
                           body: object["body"] as? String ?? "")
        }
    }

    /// The requests whose path starts with `prefix`.
    public func requests(to prefix: String) -> [Request] {
        requests().filter { $0.path.hasPrefix(prefix) }
    }

    public func stop() { server.stop() }
}
