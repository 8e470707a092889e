import KoJSON

/// The engine's answers: error documents and the JSON message stream of a load.
extension DockerDaemon {
    /// The `message` of an error document (Docker's `{"message": ...}`,
    /// podman's `{"cause", "message", "response"}`), else the body as text.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let json = try? JSONValue(parsing: body), let message = json["message"]?.stringValue, !message.isEmpty {
            return message
        }
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? "no details given" : text
    }

    /// The progress lines of a load response, a stream of JSON objects
    /// (Docker's jsonmessage); throws the first `error` one, since the
    /// engine reports a failed load with status 200 once streaming began.
    static func loadMessages(_ body: [UInt8], endpoint: DockerEndpoint) throws -> [String] {
        var messages: [String] = []
        for line in body.split(separator: UInt8(ascii: "\n")) {
            let trimmed = Array(line.drop(while: { $0 == 32 || $0 == 13 }))
            guard !trimmed.isEmpty else { continue }
            guard let json = try? JSONValue(parsing: trimmed) else {
                messages.append(String(decoding: trimmed, as: UTF8.self))
                continue
            }
            if let error = json["errorDetail"]?["message"]?.stringValue ?? json["error"]?.stringValue {
                throw DaemonError.loadFailed(endpoint: endpoint.description, message: error)
            }
            if let stream = json["stream"]?.stringValue {
                let text = stream.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { messages.append(text) }
            }
        }
        return messages
    }
}
