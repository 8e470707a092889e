import Testing
@testable import KoCreds
@testable import KoKeyring

struct JSONParserTests {
    @Test(arguments: [
        ("{}", "{}"),
        ("[]", "[]"),
        (#"{"b":1,"a":[true,false,null],"c":{"z":"y","x":-0.5e+10}}"#,
         #"{"b":1,"a":[true,false,null],"c":{"z":"y","x":-0.5e+10}}"#),
        (#"  {"key" : "va\"lue\\/\n"}  "#, #"{"key":"va\"lue\\/\n"}"#),
        (#"["\u00e9\ud83d\ude00", 1.0]"#, "[\"é😀\",1.0]"),
        ("\u{FEFF}{\"bom\":true}", #"{"bom":true}"#),
    ])
    func parsesAndWritesCompactly(input: String, expected: String) throws {
        #expect(JSONWriter.compact(try JSONParser.parse(input)) == expected)
    }

    @Test func keepsMemberOrderAndNumberText() throws {
        let text = #"{"zeta":1.50,"alpha":{"m":2,"b":1E3},"mid":[3,2,1]}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.compact(value) == text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
    }

    @Test(arguments: [
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7),
        ("{\"a\":1,}", 1, 8),
        ("[1, 2", 1, 6),
        ("{\"a\": tru}", 1, 7),
        ("\"unterminated", 1, 1),
        ("{} x", 1, 4),
        ("{\"a\":01}", 1, 7),
        ("\"tab\there\"", 1, 5),
        ("[\"\\ud800\"]", 1, 9),
        ("{\"a\":\"\\q\"}", 1, 7),
    ])
    func reportsLineAndColumn(input: String, line: Int, column: Int) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch let error as JSONSyntaxError {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func indentedOutputMatchesTheDockerCLILayout() throws {
        let value = try JSONParser.parse(#"{"auths":{"a":{}},"list":[1,"x"],"empty":[]}"#)
        #expect(JSONWriter.indented(value) == """
            {
            \t"auths": {
            \t\t"a": {}
            \t},
            \t"list": [
            \t\t1,
            \t\t"x"
            \t],
            \t"empty": []
            }
            """)
    }

    @Test func escapesControlCharactersAndLineSeparators() {
        let value = JSONValue.string("a\u{01}b\u{2028}\t\"")
        #expect(JSONWriter.compact(value) == #""a\u0001b\u2028\t\"""#)
    }

    @Test func settingAMemberKeepsItsPlaceAndRemovingDropsDuplicates() throws {
        guard case var .object(object) = try JSONParser.parse(#"{"a":1,"b":2,"a":3,"c":4}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(object["a"] == .number("3"))
        object["a"] = .string("new")
        #expect(object.keys == ["a", "b", "c"])
        object["b"] = nil
        object["d"] = .null
        #expect(JSONWriter.compact(.object(object)) == #"{"a":"new","c":4,"d":null}"#)
    }
}
