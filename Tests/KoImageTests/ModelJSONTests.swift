import KoJSON
import Testing
@testable import KoImage

/// JSONValue parsing and the canonical encoder.
struct ModelJSONTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try JSONValue(parsing: Array(text.utf8)).canonicalBytes, as: UTF8.self)
    }

    @Test(arguments: [
        (#"{"b":1,"a":[true,false,null],"c":{"z":"y","A":"x"}}"#,
         #"{"a":[true,false,null],"b":1,"c":{"A":"x","z":"y"}}"#),
        (" { \"k\" : [ 1 , 2 ] } \n", #"{"k":[1,2]}"#),
        (#"{"n":12345678901234567890123,"f":1.50,"e":-2E+10}"#, #"{"e":-2E+10,"f":1.50,"n":12345678901234567890123}"#),
        (#"{"url":"https://example.com/a/b"}"#, #"{"url":"https://example.com/a/b"}"#),
        (#"{"s":"\/slash \u00e9 \ud83d\ude00"}"#, #"{"s":"/slash é 😀"}"#),
        (#"{"html":"<a>&</a>"}"#, #"{"html":"\u003ca\u003e\u0026\u003c/a\u003e"}"#),
        (#"{"ctl":"\u0001\n\t\r\b\f\"\\"}"#, #"{"ctl":"\u0001\n\t\r\b\f\"\\"}"#),
        (#"{"dup":1,"dup":2}"#, #"{"dup":2}"#),
        (#"{"lone":"\ud800x"}"#, #"{"lone":"�x"}"#),
    ])
    func canonicalEncoding(input: String, expected: String) throws {
        #expect(try canonical(input) == expected)
    }

    @Test(arguments: [
        "", "{", #"{"a":}"#, "[1,]", "01", "1.", "-", #"{"a":1}x"#, "\"unterminated", "tru", #"{"a" 1}"#,
        "\"tab\there\"", #""\x""#, "1e",
    ])
    func invalidJSONIsRejectedWithAnOffset(input: String) throws {
        #expect(throws: ModelError.self) { try JSONValue(parsing: Array(input.utf8), document: "test doc") }
        do {
            _ = try JSONValue(parsing: Array(input.utf8), document: "test doc")
        } catch {
            #expect("\(error)".contains("test doc"))
        }
    }

    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000)
        #expect(throws: ModelError.self) { try JSONValue(parsing: Array(deep.utf8)) }
    }

    @Test func subscriptSetsAndRemovesMembers() throws {
        var value = try JSONValue(parsing: Array(#"{"a":1}"#.utf8))
        value["b"] = .string("x")
        value["a"] = nil
        #expect(String(decoding: value.canonicalBytes, as: UTF8.self) == #"{"b":"x"}"#)
    }

    @Test func manifestRoundTripsThroughCanonicalBytes() throws {
        let text = """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
         "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,
          "digest":"sha256:\(String(repeating: "a", count: 64))"},
         "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,
          "digest":"sha256:\(String(repeating: "b", count: 64))"}]}
        """
        let manifest = try Manifest(parsing: Array(text.utf8))
        #expect(manifest.isDocker)
        #expect(manifest.matchingLayerMediaType == MediaType.dockerLayerGzip)
        let bytes = try manifest.canonicalBytes()
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"config":{"digest":"sha256:aaaa"#))
        #expect(try Manifest(parsing: bytes) == manifest)
        #expect(throws: ModelError.self) { try Manifest(parsing: Array(#"{"manifests":[]}"#.utf8)) }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (Int64(1_700_000_000), "2023-11-14T22:13:20Z"),
        (Int64(951_782_400), "2000-02-29T00:00:00Z"),
        (Int64(-1), "1969-12-31T23:59:59Z"),
    ])
    func timestampsFormatAsGoDoes(seconds: Int64, expected: String) {
        #expect(ImageTime.rfc3339(epochSeconds: seconds) == expected)
    }
}
