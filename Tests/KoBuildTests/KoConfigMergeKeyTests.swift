import Foundation
import KoLog
import Testing
import TestSupport
@testable import KoBuild

/// YAML merge keys (`<<: *anchor`) in `.ko.yaml`, resolved as Go's yaml.v3
/// resolves them for upstream ko.
struct KoConfigMergeKeyTests {
    static func parse(_ yaml: String, logger: Logger = .silent) throws -> KoConfig {
        try KoConfig.parse(try YAMLNode.parse(yaml, file: "k.yaml"), file: "k.yaml", logger: logger)
    }

    @Test func aBuildEntryTakesTheMergedKeysWithTheirLinesAndNoWarning() throws {
        let lines = LineCollector()
        let logger = Logger(minimumLevel: .warning) { _, line in lines.append(line) }
        let config = try Self.parse("""
            x-common: &c {ldflags: ["-X main.v=M1"], env: [A=1]}
            builds: [{<<: *c, id: a, main: ./cmd/a}]
            """, logger: logger)
        let build = try #require(config.builds.first)
        #expect(build.id == "a" && build.main == "./cmd/a")
        #expect(build.ldflags == ["-X main.v=M1"] && build.env == ["A=1"])
        #expect(build.lines.settings.ldflags == [1] && build.lines.main == 2)
        #expect(lines.all == ["k.yaml:1: unknown key 'x-common' is ignored"])
    }

    @Test func keysWrittenInTheMappingWinWhereverTheyStand() throws {
        let config = try Self.parse("""
            x: &c
              ldflags: [-X main.v=merged]
              main: ./merged
            builds:
            - main: ./mine
              <<: *c
              id: a
            - ldflags: [-s]
              <<: *c
            """)
        #expect(config.builds.map(\.main) == ["./mine", "./merged"])
        #expect(config.builds.map(\.ldflags) == [["-X main.v=merged"], ["-s"]])
        #expect(config.builds[1].lines.main == 3 && config.builds[1].lines.settings.ldflags == [8])
    }

    @Test func ofAListOfMergedMappingsTheEarlierWins() throws {
        let config = try Self.parse("""
            a: &a {main: ./a}
            b: &b {main: ./b, dir: sub, ldflags: [-s]}
            builds:
            - <<: [*a, *b]
              id: x
            """)
        let build = try #require(config.builds.first)
        #expect(build.main == "./a" && build.dir == "sub" && build.ldflags == ["-s"])
    }

    @Test func mergesWorkAtTheTopLevelAndInNestedMappings() throws {
        let config = try Self.parse("""
            x-top: &top
              defaultBaseImage: reg.example/base:1
              defaultLdflags: [-s]
            x-labels: &labels {team: core, tier: web}
            <<: *top
            defaultLdflags: [-w]
            builds:
            - id: a
              image:
                labels:
                  <<: *labels
                  tier: api
            """)
        #expect(config.defaultBaseImage == "reg.example/base:1")
        #expect(config.defaultLdflags == ["-w"])
        #expect(config.builds.first?.image.labels == ["team": "core", "tier": "api"])
    }

    @Test func aMergedMappingMayItselfMerge() throws {
        let config = try Self.parse("""
            base: &base {main: ./base, dir: d}
            mid: &mid {<<: *base, main: ./mid}
            builds: [{<<: *mid, id: a}]
            """)
        #expect(config.builds.first?.main == "./mid" && config.builds.first?.dir == "d")
    }

    @Test func aQuotedMergeKeyIsAnOrdinaryKey() throws {
        let lines = LineCollector()
        let logger = Logger(minimumLevel: .warning) { _, line in lines.append(line) }
        let config = try Self.parse("x: &c {main: ./m}\nbuilds: [{'<<': *c, id: a}]\n", logger: logger)
        #expect(config.builds.first?.main == ".")
        #expect(lines.all.contains("k.yaml:2: unknown key '<<' in build #0 is ignored"), "\(lines.all)")
    }

    @Test(arguments: [
        ("builds:\n- id: a\n  <<: ./x\n", "k.yaml:3"),
        ("x: &s [a, b]\nbuilds:\n- id: a\n  <<: *s\n", "k.yaml:1"),
        ("x: &c {main: ./m}\nbuilds:\n- <<:\n  - *c\n  - oops\n  id: a\n", "k.yaml:5"),
        ("<<: ~\n", "k.yaml:1"),
    ])
    func aMergeValueThatIsNotMappingsIsRefusedAtItsLine(yaml: String, place: String) {
        #expect(KoConfigErrorTests.message { _ = try Self.parse(yaml) }
                == place + ": a merge key '<<' needs a mapping or a list of mappings (such as *anchor or "
                + "[*a, *b]) as its value")
    }

    @Test(arguments: [
        ("x: &c {main: ./m}\nbuilds:\n- main: ./a\n  <<: *c\n  main: ./b\n",
         "k.yaml:5: mapping key \"main\" already defined at line 3"),
        ("x: &c {main: ./m}\ny: &d {dir: d}\nbuilds:\n- <<: *c\n  <<: *d\n",
         "k.yaml:5: mapping key \"<<\" already defined at line 4"),
    ])
    func explicitKeysGivenTwiceAreStillRefused(yaml: String, expected: String) {
        #expect(KoConfigErrorTests.message { _ = try Self.parse(yaml) } == expected)
    }
}
