import Testing
@testable import KoBuild

struct ResolveSelectorTests {
    struct Match: CustomTestStringConvertible, Sendable {
        var selector: String
        var labels: [String: String]
        var matches: Bool
        var testDescription: String { "\(selector) on \(labels)" }
    }

    static let matches: [Match] = [
        Match(selector: "", labels: [:], matches: true),
        Match(selector: "app=web", labels: ["app": "web"], matches: true),
        Match(selector: "app==web", labels: ["app": "web"], matches: true),
        Match(selector: "app=web", labels: ["app": "db"], matches: false),
        Match(selector: "app=web", labels: [:], matches: false),
        Match(selector: "app!=web", labels: [:], matches: true),
        Match(selector: "app!=web", labels: ["app": "web"], matches: false),
        Match(selector: "app", labels: ["app": ""], matches: true),
        Match(selector: "!app", labels: ["app": ""], matches: false),
        Match(selector: "!app", labels: ["tier": "x"], matches: true),
        Match(selector: "tier in (web, db)", labels: ["tier": "db"], matches: true),
        Match(selector: "tier in (web,db)", labels: ["tier": "cache"], matches: false),
        Match(selector: "tier notin (web,db)", labels: [:], matches: true),
        Match(selector: "tier notin (web,db)", labels: ["tier": "web"], matches: false),
        Match(selector: "app=web, tier notin (db), !legacy", labels: ["app": "web", "tier": "fe"], matches: true),
        Match(selector: "app=web,tier=db", labels: ["app": "web", "tier": "fe"], matches: false),
        Match(selector: "example.com/team=ko", labels: ["example.com/team": "ko"], matches: true),
        Match(selector: "app=", labels: ["app": ""], matches: true),
        Match(selector: "replicas>2", labels: ["replicas": "3"], matches: true),
        Match(selector: "replicas<2", labels: ["replicas": "3"], matches: false),
        Match(selector: "replicas>2", labels: ["replicas": "many"], matches: false),
    ]

    @Test(arguments: matches)
    func selectorMatchesLabels(_ match: Match) throws {
        #expect(try LabelSelector(parsing: match.selector).matches(match.labels) == match.matches)
    }

    @Test(arguments: ["=web", "app in web", "app in (a", "app=web,", "app=web x", "bad key=1",
                      "-app=1", "app=bad value", "Example.COM/x=1", "n>x", "app in (a,,b"])
    func rejectsMalformedSelectors(_ text: String) {
        #expect {
            try LabelSelector(parsing: text)
        } throws: { error in
            "\(error)".hasPrefix("invalid label selector '\(text)'")
        }
    }

    static let manifests = """
        # web tier
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          labels:
            app: web
        ---
        # the database, quoted labels
        apiVersion: v1
        kind: Pod
        metadata:
          name: db
          labels: &common
            app: "db"
        spec:
          image: ko://example.com/app/cmd/db
        ---

        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          labels: {tier: back, app: db}
        spec:
          template:
            metadata:
              labels: &common
                app: "web"
            other:
              labels:
                <<: *common
          image: 'ko://example.com/app/cmd/web'

        """

    @Test func dropsDocumentsThatDoNotMatch() throws {
        let yaml = try ResolvableYAML(bytes: Array(Self.manifests.utf8), file: "m.yaml")
        #expect(yaml.documentCount == 4)
        #expect(yaml.importPaths == ["example.com/app/cmd/db", "example.com/app/cmd/web"])

        let web = try yaml.selecting(LabelSelector(parsing: "app=web"))
        #expect(web.keptDocumentCount == 1)
        #expect(web.importPaths == [])
        #expect(String(decoding: try web.resolved([:]), as: UTF8.self) == """
            # web tier
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels:
                app: web

            """)

        let db = try yaml.selecting(LabelSelector(parsing: "app=db"))
        #expect(db.importPaths == ["example.com/app/cmd/db", "example.com/app/cmd/web"])
        let images = ["example.com/app/cmd/db": "r/db@sha256:1", "example.com/app/cmd/web": "r/web@sha256:2"]
        #expect(String(decoding: try db.resolved(images), as: UTF8.self) == """
            ---
            # the database, quoted labels
            apiVersion: v1
            kind: Pod
            metadata:
              name: db
              labels: &common
                app: "db"
            spec:
              image: r/db@sha256:1
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels: {tier: back, app: db}
            spec:
              template:
                metadata:
                  labels: &common
                    app: "web"
                other:
                  labels:
                    <<: *common
              image: 'r/web@sha256:2'

            """)

        let back = try yaml.selecting(LabelSelector(parsing: "tier=back"))
        #expect(back.importPaths == ["example.com/app/cmd/web"])
        let none = try yaml.selecting(LabelSelector(parsing: "app=nothing"))
        #expect(none.keptDocumentCount == 0)
        #expect(try none.resolved([:]) == [])
    }

    @Test func filtersTheItemsOfAList() throws {
        let list = """
            apiVersion: v1
            kind: List
            items:
            # first
            - kind: Pod
              metadata:
                labels: {app: web}
              image: ko://example.com/web
            - kind: Pod
              metadata:
                labels: {app: db}
              image: ko://example.com/db
            - kind: Pod
              metadata: {labels: {app: web}}
            # end

            """
        let yaml = try ResolvableYAML(bytes: Array(list.utf8), file: "list.yaml")
        let db = try yaml.selecting(LabelSelector(parsing: "app=db"))
        #expect(db.importPaths == ["example.com/db"])
        #expect(String(decoding: try db.resolved(["example.com/db": "r/db@sha256:1"]), as: UTF8.self) == """
            apiVersion: v1
            kind: List
            items:
            # first
            - kind: Pod
              metadata:
                labels: {app: db}
              image: r/db@sha256:1
            # end

            """)
        let web = try yaml.selecting(LabelSelector(parsing: "app=web"))
        #expect(web.importPaths == ["example.com/web"])
        #expect(String(decoding: try web.resolved(["example.com/web": "r/web@sha256:2"]), as: UTF8.self) == """
            apiVersion: v1
            kind: List
            items:
            # first
            - kind: Pod
              metadata:
                labels: {app: web}
              image: r/web@sha256:2
            - kind: Pod
              metadata: {labels: {app: web}}
            # end

            """)
    }

    @Test func filtersTheItemsOfAJSONList() throws {
        let list = #"{"kind": "List", "items": [{"metadata": {"labels": {"a": "1"}}}, "#
            + #"{"metadata": {"labels": {"a": "2"}}}, {"metadata": {"labels": {"a": "1"}}}]}"#
        let yaml = try ResolvableYAML(bytes: Array(list.utf8), file: "list.json")
        let two = try yaml.selecting(LabelSelector(parsing: "a=2"))
        #expect(String(decoding: try two.resolved([:]), as: UTF8.self)
                == #"{"kind": "List", "items": [{"metadata": {"labels": {"a": "2"}}}]}"#)
        let one = try yaml.selecting(LabelSelector(parsing: "a=1"))
        #expect(String(decoding: try one.resolved([:]), as: UTF8.self)
                == #"{"kind": "List", "items": [{"metadata": {"labels": {"a": "1"}}}, "#
                + #"{"metadata": {"labels": {"a": "1"}}}]}"#)
    }

    @Test func mergeKeysInLabelsAreFollowed() throws {
        let pod = "kind: Pod\nmetadata:\n  annotations: &base {app: web, tier: front}\n"
            + "  labels:\n    <<: *base\n    tier: back\n"
        let yaml = try ResolvableYAML(bytes: Array(pod.utf8), file: "p.yaml")
        #expect(try yaml.selecting(LabelSelector(parsing: "app=web,tier=back")).keptDocumentCount == 1)
        #expect(try yaml.selecting(LabelSelector(parsing: "tier=front")).keptDocumentCount == 0)
    }

    @Test func aliasToAnotherDocumentIsAnError() {
        let input = "a: &x 1\n---\nb: *x\n"
        #expect {
            try ResolvableYAML(bytes: Array(input.utf8), file: "a.yaml")
        } throws: { error in
            "\(error)".hasPrefix("a.yaml:3:4:")
        }
    }

    @Test func malformedLabelsNameFileAndLine() throws {
        let yaml = try ResolvableYAML(bytes: Array("kind: Pod\nmetadata:\n  labels:\n    app: [x]\n".utf8),
                                      file: "p.yaml")
        #expect {
            try yaml.selecting(LabelSelector(parsing: "app=x"))
        } throws: { error in
            "\(error)".hasPrefix("p.yaml:4:")
        }
    }
}
