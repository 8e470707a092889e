import KoJSON
import Testing
@testable import KoImage

/// Image documents as JSON: parse errors name the document, manifests round
/// trip through their canonical bytes. (KoJSONTests cover the encoder.)
struct ModelJSONTests {
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

    @Test func documentsAreReadAsGoReadsThem() throws {
        let bytes = Array(#"{"lone":"\ud800x","#.utf8) + Array(#""bad":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        let value = try JSONValue(parsing: bytes, document: "registry answer")
        #expect(value["lone"] == .string("\u{FFFD}x"))
        #expect(value["bad"] == .string("a\u{FFFD}"))
        let error = #expect(throws: ModelError.self) {
            try JSONValue(parsing: Array("{\"a\":1,\n }".utf8), document: "image index")
        }
        #expect(error.map { "\($0)" }
                == "image index is not valid JSON (line 2, column 2): unexpected '}', expected a string key")
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
