import Testing
@testable import KoBuild

struct ResolveYAMLTests {
    static let images = [
        "example.com/app/cmd/web": "127.0.0.1:5000/web@sha256:aaaa",
        "example.com/app/cmd/job": "127.0.0.1:5000/job@sha256:bbbb",
        "example.com/it's": "reg.example/it's@sha256:cccc",
    ]

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: String
        var output: String
        var importPaths: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain value, comments and blank lines kept",
             input: """
                # leading comment
                apiVersion: v1   # trailing comment
                kind: Pod

                spec:
                  containers:
                    - name: web
                      image: ko://example.com/app/cmd/web  # built by ko
                """,
             output: """
                # leading comment
                apiVersion: v1   # trailing comment
                kind: Pod

                spec:
                  containers:
                    - name: web
                      image: 127.0.0.1:5000/web@sha256:aaaa  # built by ko
                """,
             importPaths: ["example.com/app/cmd/web"]),
        Case(name: "quoted scalars keep their quotes",
             input: "a: 'ko://example.com/app/cmd/web'\nb: \"ko://example.com/app/cmd/job\"\n"
                + "c: \"ko://example.com/it's\"\nd: 'ko://example.com/it''s'\n",
             output: "a: '127.0.0.1:5000/web@sha256:aaaa'\nb: \"127.0.0.1:5000/job@sha256:bbbb\"\n"
                + "c: \"reg.example/it's@sha256:cccc\"\nd: 'reg.example/it''s@sha256:cccc'\n",
             importPaths: ["example.com/app/cmd/web", "example.com/app/cmd/job", "example.com/it's"]),
        Case(name: "documents, separators, key order and repeats",
             input: "---\nz: ko://example.com/app/cmd/job\na: 1\n---\n# second\nimage: ko://example.com/app/cmd/web\n"
                + "again: ko://example.com/app/cmd/job\n...\n---\nlast: [ko://example.com/app/cmd/web, x]\n",
             output: "---\nz: 127.0.0.1:5000/job@sha256:bbbb\na: 1\n---\n# second\n"
                + "image: 127.0.0.1:5000/web@sha256:aaaa\n"
                + "again: 127.0.0.1:5000/job@sha256:bbbb\n...\n---\nlast: [127.0.0.1:5000/web@sha256:aaaa, x]\n",
             importPaths: ["example.com/app/cmd/job", "example.com/app/cmd/web"]),
        Case(name: "other tags, mid-string ko:// and prose in block scalars are text",
             input: "c: !custom ko://example.com/app/cmd/web\nd: see ko://example.com/app/cmd/web\n"
                + "e: \" ko://example.com/app/cmd/web\"\nf: |\n  ko://example.com/app/cmd/web is the app\n",
             output: "c: !custom ko://example.com/app/cmd/web\nd: see ko://example.com/app/cmd/web\n"
                + "e: \" ko://example.com/app/cmd/web\"\nf: |\n  ko://example.com/app/cmd/web is the app\n",
             importPaths: []),
        Case(name: "a block scalar holding just a reference is resolved, header kept",
             input: "a: |\n  ko://example.com/app/cmd/web\nb: >-\n  ko://example.com/app/cmd/job\n",
             output: "a: |\n  127.0.0.1:5000/web@sha256:aaaa\nb: >-\n  127.0.0.1:5000/job@sha256:bbbb\n",
             importPaths: ["example.com/app/cmd/web", "example.com/app/cmd/job"]),
        Case(name: "anchors, explicit !!str, aliases and flow mappings",
             input: "x: &img ko://example.com/app/cmd/web\ny: *img\nz: !!str ko://example.com/app/cmd/job\n"
                + "w: {image: \"ko://example.com/app/cmd/web\", n: 2}\n",
             output: "x: &img 127.0.0.1:5000/web@sha256:aaaa\ny: *img\nz: !!str 127.0.0.1:5000/job@sha256:bbbb\n"
                + "w: {image: \"127.0.0.1:5000/web@sha256:aaaa\", n: 2}\n",
             importPaths: ["example.com/app/cmd/web", "example.com/app/cmd/job"]),
        Case(name: "non-ASCII text, CRLF line ends and a trailing space in quotes",
             input: "# café ☕\r\nname: \"été\"\r\nimage: 'ko://example.com/app/cmd/web '\r\n"
                + "note: ünïcode\r\n",
             output: "# café ☕\r\nname: \"été\"\r\nimage: '127.0.0.1:5000/web@sha256:aaaa'\r\nnote: ünïcode\r\n",
             importPaths: ["example.com/app/cmd/web"]),
        Case(name: "JSON input",
             input: "{\n  \"kind\": \"Pod\",\n  \"image\": \"ko://example.com/app/cmd/job\"\n}\n",
             output: "{\n  \"kind\": \"Pod\",\n  \"image\": \"127.0.0.1:5000/job@sha256:bbbb\"\n}\n",
             importPaths: ["example.com/app/cmd/job"]),
        Case(name: "no references, no trailing newline",
             input: "# only this\nkind: Service", output: "# only this\nkind: Service", importPaths: []),
        Case(name: "empty file", input: "", output: "", importPaths: []),
    ]

    @Test(arguments: cases)
    func replacesExactlyTheReferences(_ testCase: Case) throws {
        let yaml = try ResolvableYAML(bytes: Array(testCase.input.utf8), file: "in.yaml")
        #expect(yaml.importPaths == testCase.importPaths)
        let output = try yaml.resolved(Self.images)
        #expect(String(decoding: output, as: UTF8.self) == testCase.output)
    }

    @Test func plainScalarThatWouldNotStayAStringIsQuoted() throws {
        let yaml = try ResolvableYAML(bytes: Array("image: ko://example.com/x\n".utf8), file: "in.yaml")
        let output = try yaml.resolved(["example.com/x": "weird: value # not plain"])
        #expect(String(decoding: output, as: UTF8.self) == "image: \"weird: value # not plain\"\n")
    }

    @Test func referencesRecordTheirLines() throws {
        let yaml = try ResolvableYAML(bytes: Array("a: 1\n\nb: ko://example.com/app/cmd/web\n".utf8),
                                      file: "in.yaml")
        #expect(yaml.references.map(\.line) == [3])
        #expect(yaml.references.map(\.importPath) == ["example.com/app/cmd/web"])
    }

    @Test func badYAMLNamesFileAndLine() {
        let input = "a: 1\nb: [unclosed\nc: 3\n---\nd: 4\n"
        #expect {
            try ResolvableYAML(bytes: Array(input.utf8), file: "config/app.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("config/app.yaml:") && text.contains("invalid YAML")
        }
        let indentation = "a:\n  b: 1\n c: 2\n"
        #expect {
            try ResolvableYAML(bytes: Array(indentation.utf8), file: "x.yaml")
        } throws: { error in
            "\(error)".hasPrefix("x.yaml:3:")
        }
    }

    @Test func invalidUTF8IsRefusedWithTheLine() {
        let input: [UInt8] = Array("a: 1\nb: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        #expect {
            try ResolvableYAML(bytes: input, file: "bad.yaml")
        } throws: { error in
            "\(error)".hasPrefix("bad.yaml:2:")
        }
    }

    @Test func emptyImportPathIsAnError() {
        #expect {
            try ResolvableYAML(bytes: Array("a: 1\nimage: ko://\n".utf8), file: "e.yaml")
        } throws: { error in
            "\(error)".hasPrefix("e.yaml:2:")
        }
    }

    @Test func missingImageNamesTheImportPathAndLine() throws {
        let yaml = try ResolvableYAML(bytes: Array("a: 1\nimage: ko://example.com/nope\n".utf8), file: "m.yaml")
        #expect {
            try yaml.resolved(Self.images)
        } throws: { error in
            "\(error)" == "m.yaml:2: no image was built for ko://example.com/nope"
        }
    }

    @Test func deepNestingIsRefused() {
        let input = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: ResolveError.self) {
            try ResolvableYAML(bytes: Array(input.utf8), file: "deep.yaml")
        }
    }
}
