import Foundation
import KoJSON
import Testing
import TestSupport

/// Writing: escapes, key order, layouts, and agreement with Go's encoder.
struct JSONWriterTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try JSONParser.parse(text, options: .goCompatible).canonicalBytes, as: UTF8.self)
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
        (#"{"dup":1,"other":0,"dup":2}"#, #"{"dup":2,"other":0}"#),
        (#"{"é":1,"z":2,"Z":3,"a":4,"aa":5,"":6}"#, #"{"":6,"Z":3,"a":4,"aa":5,"z":2,"é":1}"#),
        (#"{"e\u0301":1,"\u00e9":2}"#, "{\"e\u{301}\":1,\"\u{E9}\":2}"),
        (#"{"lone":"\ud800x"}"#, #"{"lone":"�x"}"#),
        ("{\"a\":{},\"b\":[]}", "{\"a\":{},\"b\":[]}"),
    ])
    func canonicalBytesSortKeysAndDropWhitespace(input: String, expected: String) throws {
        #expect(try canonical(input) == expected)
    }

    @Test(arguments: [
        ("plain", #""plain""#, #""plain""#),
        ("\"\\", #""\"\\""#, #""\"\\""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#, #""\n\r\t\b\f""#),
        ("\u{00}\u{01}\u{1F}\u{7F}", #""\u0000\u0001\u001f\#u{7F}""#, #""\u0000\u0001\u001f\#u{7F}""#),
        ("<a>&</a>", #""<a>&</a>""#, #""\u003ca\u003e\u0026\u003c/a\u003e""#),
        ("a\u{2028}b\u{2029}", #""a\u2028b\u2029""#, #""a\u2028b\u2029""#),
        ("é 😀 \u{2027}\u{202A}", "\"é 😀 \u{2027}\u{202A}\"", "\"é 😀 \u{2027}\u{202A}\""),
        ("/path/", #""/path/""#, #""/path/""#),
        ("a\u{01}b\u{2028}\t\"", #""a\u0001b\u2028\t\"""#, #""a\u0001b\u2028\t\"""#),
    ])
    func stringsAreEscapedAsGoEscapesThem(text: String, plain: String, html: String) {
        #expect(JSONWriter.string(.string(text)) == plain)
        #expect(JSONWriter.string(.string(text), options: .canonical) == html)
    }

    @Test func compactKeepsMemberOrderAndRepeats() throws {
        let text = #"{"zeta":1.50,"alpha":{"m":2,"b":1E3},"mid":[3,2,1],"zeta":0}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.compact(value) == text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid", "zeta"])
    }

    @Test func tabIndentedMatchesTheDockerCLILayout() throws {
        let value = try JSONParser.parse(#"{"auths":{"a":{}},"list":[1,"x"],"empty":[],"o":{"k":"<v>&\u2028"}}"#)
        #expect(JSONWriter.indented(value) == """
            {
            \t"auths": {
            \t\t"a": {}
            \t},
            \t"list": [
            \t\t1,
            \t\t"x"
            \t],
            \t"empty": [],
            \t"o": {
            \t\t"k": "\\u003cv\\u003e\\u0026\\u2028"
            \t}
            }
            """)
    }

    @Test func optionsCombine() throws {
        let value: JSONValue = .object(["b": .string("&"), "a": .array([.null])])
        let options = JSONWriter.Options(sortsKeys: true, escapesHTML: true, indent: "  ")
        #expect(JSONWriter.string(value, options: options) == "{\n  \"a\": [\n    null\n  ],\n  \"b\": \"\\u0026\"\n}")
        #expect(JSONWriter.string(.array([]), options: options) == "[]")
        #expect(JSONWriter.string(.integer(-3), options: options) == "-3")
    }

    // MARK: - Go's encoder as the reference

    /// Documents whose canonical and indented forms are compared with what
    /// Go's `encoding/json` writes for the same decoded value. (Go before 1.22
    /// writes `\b` and `\f` as `\u0008` and `\u000c`, so they are left out.)
    static let goDocuments: [String] = [
        "{" + (0..<0x80).filter { $0 != 0x08 && $0 != 0x0C }.map { code in
            let hex = String(code, radix: 16)
            return "\"k\(code)\":\"\\u" + String(repeating: "0", count: 4 - hex.count) + hex + "\""
        }.joined(separator: ",") + "}",
        #"{"b":1,"a":[true,false,null],"c":{"z":"y","A":"x"},"":{},"e":[]}"#,
        #"{"é":1,"z":2,"Z":3,"a":4,"aa":5,"\u00e9x":6,"e\u0301":7}"#,
        #"{"dup":1,"other":0,"dup":2}"#,
        #"["\u2028\u2029","é 😀 ✓","\ud800","\udc00x","\ud83d\ude00","<a href=\"/x\">&amp;</a>"]"#,
        #"[0,-0,1.50,1E3,1e+3,-2E-10,123456789012345678901234567890,0.1]"#,
        #"[[[[]]],[{}],{"a":{"b":{"c":[1,{"d":null}]}}}]"#,
        #""just a string""#,
    ]

    @Test func canonicalAndIndentedTextMatchGo() throws {
        let directory = try TemporaryDirectory("ko-json-go")
        let program = try directory.write("main.go", Self.goProgram)
        let input = Array(Self.goDocuments.joined(separator: "\n").utf8)
        for (mode, options) in [
            ("canonical", JSONWriter.Options.canonical),
            ("spaces", JSONWriter.Options(sortsKeys: true, escapesHTML: true, indent: "  ")),
            // config.json's layout; Go's maps come out sorted, so the comparison sorts too.
            ("tabs", { var options = JSONWriter.Options.tabIndented; options.sortsKeys = true; return options }()),
        ] {
            let result = try ProcessRunner.check("go", ["run", program, mode], input: input)
            let expected = result.output.split(separator: "\u{0}", omittingEmptySubsequences: false).dropLast()
            try #require(expected.count == Self.goDocuments.count, "go printed: \(result.output)")
            for (document, goText) in zip(Self.goDocuments, expected) {
                let value = try JSONParser.parse(document, options: .goCompatible)
                var ours = JSONWriter.string(value, options: options)
                if mode == "spaces" { ours += "\n" }
                #expect(ours == String(goText), "\(mode) of \(document)")
            }
        }
    }

    /// Decodes each input line with numbers kept as text and writes it back:
    /// `json.Marshal`, an `Encoder` indenting with two spaces (as SPDX
    /// documents are written), or `MarshalIndent` with a tab.
    private static let goProgram = #"""
        package main

        import (
        	"bufio"
        	"bytes"
        	"encoding/json"
        	"os"
        )

        func main() {
        	scanner := bufio.NewScanner(os.Stdin)
        	scanner.Buffer(make([]byte, 1<<20), 1<<20)
        	out := bufio.NewWriter(os.Stdout)
        	defer out.Flush()
        	for scanner.Scan() {
        		decoder := json.NewDecoder(bytes.NewReader(scanner.Bytes()))
        		decoder.UseNumber()
        		var value interface{}
        		if err := decoder.Decode(&value); err != nil {
        			panic(err)
        		}
        		var text []byte
        		var err error
        		switch os.Args[1] {
        		case "canonical":
        			text, err = json.Marshal(value)
        		case "spaces":
        			var buffer bytes.Buffer
        			encoder := json.NewEncoder(&buffer)
        			encoder.SetIndent("", "  ")
        			err = encoder.Encode(value)
        			text = buffer.Bytes()
        		case "tabs":
        			text, err = json.MarshalIndent(value, "", "\t")
        		}
        		if err != nil {
        			panic(err)
        		}
        		out.Write(text)
        		out.WriteByte(0)
        	}
        }
        """#
}
