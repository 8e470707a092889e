import CCurl
import Foundation

/// One libcurl easy handle and the error buffer curl writes its messages into.
///
/// The handle is freed in `deinit`. Every `CURLcode` goes through `check`, which
/// turns a failure into `HTTPError.transport` carrying curl's own message.
final class CurlHandle {
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// `curl_global_init` must run once before any handle exists; a static
    /// initializer is lazy and thread-safe in Swift.
    private static let globalInit: CURLcode = curl_global_init(3)  // CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32

    init() throws {
        let code = CurlHandle.globalInit
        guard code == CURLE_OK else {
            throw HTTPError.transport(url: "", message: "libcurl initialization failed: "
                                      + String(cString: curl_easy_strerror(code)))
        }
        guard let raw = curl_easy_init() else {
            throw HTTPError.transport(url: "", message: "libcurl could not create a handle")
        }
        self.raw = raw
        let size = Int(CURL_ERROR_SIZE)
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears every option set by a previous transfer (keeping live connections
    /// and caches), and points curl at this handle's error buffer again.
    func reset() throws {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        try check(ko_curl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer), url: "")
    }

    /// Throws `HTTPError.transport` with curl's message unless `code` is `CURLE_OK`.
    func check(_ code: CURLcode, url: String) throws {
        guard code != CURLE_OK else { return }
        throw HTTPError.transport(url: url, message: message(for: code))
    }

    /// The detailed text from the error buffer, or curl's generic text for `code`.
    func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    func set(_ option: CURLoption, _ value: Int, url: String) throws {
        try check(ko_curl_setopt_long(raw, option, value), url: url)
    }

    func set(_ option: CURLoption, _ value: String, url: String) throws {
        // curl copies string options (since 7.17), so a temporary C string is enough.
        try value.withCString { try check(ko_curl_setopt_string(raw, option, $0), url: url) }
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?, url: String) throws {
        try check(ko_curl_setopt_pointer(raw, option, pointer), url: url)
    }

    func set(_ option: CURLoption, offset: Int64, url: String) throws {
        try check(ko_curl_setopt_offset(raw, option, curl_off_t(offset)), url: url)
    }

    func set(_ option: CURLoption, callback: ko_curl_data_callback, url: String) throws {
        try check(ko_curl_setopt_data_callback(raw, option, callback), url: url)
    }

    /// Runs the transfer. No connection at all is `HTTPError.cannotConnect`;
    /// an exchange the network or the server cut (reset, cut short, stalled)
    /// is `HTTPError.interrupted`; the rest are `HTTPError.transport`.
    func perform(url: String) throws {
        errorBuffer[0] = 0
        let code = curl_easy_perform(raw)
        guard code != CURLE_OK else { return }
        if code == CURLE_COULDNT_CONNECT {
            throw HTTPError.cannotConnect(url: url, message: message(for: code))
        }
        if CurlHandle.transientCodes.contains(code) {
            throw HTTPError.interrupted(url: url, message: message(for: code))
        }
        throw HTTPError.transport(url: url, message: message(for: code))
    }

    /// Codes worth a retry: the same request may well succeed on a new connection.
    static let transientCodes: Set<CURLcode> = [
        CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING,
        CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
    ]

    func set(prereq callback: ko_curl_prereq_callback, url: String) throws {
        try check(ko_curl_setopt_prereq_callback(raw, callback), url: url)
    }

    func responseCode(url: String) throws -> Int {
        var code = 0
        try check(ko_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code), url: url)
        return code
    }
}

/// A `curl_slist` of request header lines, freed in `deinit`.
final class CurlHeaderList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) throws {
        for line in lines {
            guard let next = curl_slist_append(raw, line) else {
                throw HTTPError.transport(url: "", message: "libcurl could not build the header list")
            }
            raw = next
        }
    }

    deinit { curl_slist_free_all(raw) }
}
