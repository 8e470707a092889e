import KoHTTP
import Testing

/// The `WWW-Authenticate` parser (RFC 7235) over well-formed, odd and hostile input.
struct AuthChallengeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let header: String
        let expected: [AuthChallenge]
        var testDescription: String { header }
    }

    static let wellFormed: [Case] = [
        Case(header: #"Basic realm="any""#,
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": "any"])]),
        Case(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io","#
                + #"scope="repository:library/alpine:pull""#,
             expected: [AuthChallenge(scheme: "Bearer", parameters: [
                 "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                 "scope": "repository:library/alpine:pull"])]),
        // Commas inside quotes do not split parameters.
        Case(header: #"Bearer realm="http://127.0.0.1:5001/token",scope="repository:a/b:pull,push""#,
             expected: [AuthChallenge(scheme: "Bearer", parameters: [
                 "realm": "http://127.0.0.1:5001/token", "scope": "repository:a/b:pull,push"])]),
        // Escapes inside quoted strings.
        Case(header: #"Basic realm="say \"hi\" \\ bye""#,
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": #"say "hi" \ bye"#])]),
        // Odd spacing, names in any case, unquoted token values.
        Case(header: "  bearer   REALM = \"r\" ,  Service=svc  ",
             expected: [AuthChallenge(scheme: "bearer", parameters: ["realm": "r", "service": "svc"])]),
        // Unquoted URL values, as some servers send them.
        Case(header: "Bearer realm=https://auth.example/token,service=example",
             expected: [AuthChallenge(scheme: "Bearer", parameters: [
                 "realm": "https://auth.example/token", "service": "example"])]),
        // Several challenges in one header.
        Case(header: #"Basic realm="a", Bearer realm="b", service="s""#,
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": "a"]),
                        AuthChallenge(scheme: "Bearer", parameters: ["realm": "b", "service": "s"])]),
        Case(header: #"Negotiate, Basic realm="x""#,
             expected: [AuthChallenge(scheme: "Negotiate"),
                        AuthChallenge(scheme: "Basic", parameters: ["realm": "x"])]),
        Case(header: "Negotiate dGVzdA==, Basic realm=x",
             expected: [AuthChallenge(scheme: "Negotiate", token68: "dGVzdA=="),
                        AuthChallenge(scheme: "Basic", parameters: ["realm": "x"])]),
        Case(header: "Negotiate abc=",
             expected: [AuthChallenge(scheme: "Negotiate", token68: "abc=")]),
        // Empty list elements are allowed.
        Case(header: #", ,Basic realm="a",, ,"#,
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": "a"])]),
        // An empty quoted value is a value.
        Case(header: #"Bearer realm="", error="invalid_token""#,
             expected: [AuthChallenge(scheme: "Bearer", parameters: ["realm": "", "error": "invalid_token"])]),
        // A repeated parameter keeps its first value.
        Case(header: #"Basic realm="first", realm="second""#,
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": "first"])]),
        // Non-ASCII text inside quotes survives.
        Case(header: "Basic realm=\"r\u{e9}gistre\"",
             expected: [AuthChallenge(scheme: "Basic", parameters: ["realm": "r\u{e9}gistre"])]),
    ]

    @Test(arguments: wellFormed)
    func parsesWellFormedHeaders(_ testCase: Case) throws {
        let parsed = try #require(AuthChallenge.parse(testCase.header))
        #expect(parsed == testCase.expected)
    }

    static let garbage: [String] = [
        "",
        "   ",
        ",,,",
        "=",
        "=realm",
        "\"Basic\"",
        #"Basic realm="unterminated"#,
        #"Basic realm="ends in escape\"#,
        "Basic realm=\"a\" garbage",
        "Basic realm=\"a\" \"b\"",
        "Basic =value",
        "Basic realm=\"a\", =b",
        "Bearer realm=\"a\",scope=\"open",
        "Basic\u{0}realm=\"a\"",
        "Basic realm=\"a\u{1}b\"",
        "Basic realm=\"a\"\u{7f}",
        "Basic dGVzdA== more",
        "(Basic)",
        "Basic realm=\"a\";foo",
        "\u{ff}\u{fe}",
        String(repeating: "\"", count: 1000),
        String(repeating: "Basic realm=\\", count: 200),
    ]

    @Test(arguments: garbage)
    func refusesGarbage(_ header: String) {
        #expect(AuthChallenge.parse(header) == nil)
    }

    @Test func neverCrashesOnRandomBytes() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array(#"Basic Bearer realm = "\ , ;=abc/:"#.utf8) + [0, 9, 0x7f, 0xc3, 0xa9]
        for _ in 0..<5000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            let text = String(decoding: bytes, as: UTF8.self)
            if let challenges = AuthChallenge.parse(text) {
                #expect(!challenges.isEmpty)
            }
        }
    }

    @Test func repeatedHeadersAreCombinedAndBadOnesSkipped() {
        let challenges = AuthChallenge.parse(headers: [#"Basic realm="a""#, "Bearer realm=\"", "Bearer realm=b"])
        #expect(challenges.map(\.scheme) == ["Basic", "Bearer"])
    }

    @Test func accessorsIgnoreCase() throws {
        let challenge = try #require(AuthChallenge.parse(#"BEARER Realm="r",SERVICE="s""#)?.first)
        #expect(challenge.isScheme("bearer"))
        #expect(challenge.realm == "r")
        #expect(challenge.parameter("Service") == "s")
    }
}

/// A small deterministic generator (SplitMix64) so the fuzz table is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
