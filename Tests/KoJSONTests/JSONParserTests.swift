import KoJSON
import Testing

/// Parsing: what reads back unchanged, what is refused and where.
struct JSONParserTests {
    @Test(arguments: [
        ("{}", "{}"),
        ("[]", "[]"),
        ("null", "null"),
        ("true", "true"),
        (#""text""#, #""text""#),
        (#"{"b":1,"a":[true,false,null],"c":{"z":"y","x":-0.5e+10}}"#,
         #"{"b":1,"a":[true,false,null],"c":{"z":"y","x":-0.5e+10}}"#),
        (" \t\r\n{ \"k\" : [ 1 , 2 ] } \n", #"{"k":[1,2]}"#),
        (#"  {"key" : "va\"lue\\/\n"}  "#, #"{"key":"va\"lue\\/\n"}"#),
        (#"["\u00e9\ud83d\ude00", 1.0]"#, "[\"é😀\",1.0]"),
        (#"{"dup":1,"dup":2}"#, #"{"dup":1,"dup":2}"#),
        (#"{"s":"\/ \u00e9 \ud83d\ude00 \u0041"}"#, #"{"s":"/ é 😀 A"}"#),
        (#"["\"\\\b\f\n\r\t"]"#, #"["\"\\\b\f\n\r\t"]"#),
        ("\u{FEFF}{\"bom\":true}", #"{"bom":true}"#),
        ("[[[[[]]]],{\"a\":{\"b\":{}}}]", "[[[[[]]]],{\"a\":{\"b\":{}}}]"),
    ])
    func roundTripsInMemberOrder(input: String, expected: String) throws {
        #expect(JSONWriter.compact(try JSONParser.parse(input)) == expected)
    }

    @Test(arguments: [
        "0", "-0", "1.50", "1E3", "1e+3", "-2E-10", "123456789012345678901234567890",
        "0.000000000000000000000000000001", "-9223372036854775809", "1.0",
    ])
    func numbersKeepTheirText(literal: String) throws {
        let value = try JSONParser.parse("[\(literal)]")
        #expect(value == .array([.number(literal)]))
        #expect(String(decoding: value.canonicalBytes, as: UTF8.self) == "[\(literal)]")
    }

    @Test(arguments: [
        ("9223372036854775807", Int64.max as Int64?),
        ("-9223372036854775808", Int64.min),
        ("9223372036854775808", nil),
        ("1.0", nil),
        ("1e3", nil),
    ])
    func integersReadAsInt64OnlyWhenExact(literal: String, expected: Int64?) throws {
        #expect(try JSONParser.parse(literal).int64Value == expected)
    }

    @Test(arguments: [
        ("", 1, 1),
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7),
        ("{\"a\":1,}", 1, 8),
        ("[1,]", 1, 4),
        ("[1, 2", 1, 6),
        ("{\"a\": tru}", 1, 7),
        ("nul", 1, 1),
        ("\"unterminated", 1, 1),
        ("{} x", 1, 4),
        ("{\"a\":01}", 1, 7),
        ("-", 1, 2),
        ("1.", 1, 3),
        ("1e", 1, 3),
        ("1e+", 1, 4),
        (".5", 1, 1),
        ("+1", 1, 1),
        ("\"tab\there\"", 1, 5),
        ("[\"\\ud800\"]", 1, 9),
        ("[\"\\udc00\"]", 1, 9),
        ("[\"\\u12\"]", 1, 7),
        ("{\"a\":\"\\q\"}", 1, 7),
        ("{1:2}", 1, 2),
        ("[1\n,\n\n  x]", 4, 3),
        ("'single'", 1, 1),
        ("[1] [2]", 1, 5),
    ])
    func errorsGiveLineAndColumn(input: String, line: Int, column: Int) {
        do {
            let value = try JSONParser.parse(input)
            Issue.record("parsed \(value) from invalid input")
        } catch let error as JSONSyntaxError {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect("\(error)".hasPrefix("line \(line), column \(column): "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func invalidUTF8IsRefusedUnlessReplacementIsAsked() throws {
        let bytes: [UInt8] = Array(#"["a"#.utf8) + [0xFF] + Array(#"b"]"#.utf8)
        #expect(throws: JSONSyntaxError(line: 1, column: 2, reason: "string is not valid UTF-8")) {
            try JSONParser.parse(bytes)
        }
        #expect(try JSONParser.parse(bytes, options: .goCompatible) == .array([.string("a\u{FFFD}b")]))
    }

    @Test(arguments: [
        (#"["\ud800"]"#, "\u{FFFD}"),
        (#"["\udc00x"]"#, "\u{FFFD}x"),
        (#"["\ud800\u0041"]"#, "\u{FFFD}A"),
        (#"["\ud800\ud800\udc00"]"#, "\u{FFFD}\u{10000}"),
        (#"["\ud83d\ude00"]"#, "😀"),
    ])
    func loneSurrogatesBecomeReplacementCharactersAsInGo(input: String, expected: String) throws {
        #expect(try JSONParser.parse(input, options: .goCompatible) == .array([.string(expected)]))
    }

    @Test func nestingIsLimited() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        let options = JSONParser.Options(maximumDepth: 8)
        _ = try JSONParser.parse(nested(8), options: options)
        #expect(throws: JSONSyntaxError(line: 1, column: 9, reason: "nesting deeper than 8 levels")) {
            try JSONParser.parse(nested(9), options: options)
        }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(nested(100_000)) }
    }

    @Test func sizeIsLimited() throws {
        let options = JSONParser.Options(maximumSize: 10)
        #expect(try JSONParser.parse("[1,2,3,45]", options: options) == .array([1, 2, 3, 45].map { .integer($0) }))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("[1,2,3,456]", options: options) }
    }
}
