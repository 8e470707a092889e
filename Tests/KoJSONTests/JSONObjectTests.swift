import KoJSON
import Testing

/// Objects: order, repeated keys, edits, and the value accessors.
struct JSONObjectTests {
    @Test func settingAMemberKeepsItsPlaceAndRemovingDropsRepeats() throws {
        var object = try #require(try JSONParser.parse(#"{"a":1,"b":2,"a":3,"c":4}"#).objectValue)
        #expect(object["a"] == .number("3"))
        object["a"] = .string("new")
        #expect(object.keys == ["a", "b", "c"])
        object["b"] = nil
        object["d"] = .null
        #expect(JSONWriter.compact(.object(object)) == #"{"a":"new","c":4,"d":null}"#)
    }

    @Test func literalsKeepTheOrderWritten() {
        let object: JSONObject = ["z": .integer(1), "a": .bool(true), "m": .object([:])]
        #expect(object.keys == ["z", "a", "m"])
        #expect(JSONWriter.compact(.object(object)) == #"{"z":1,"a":true,"m":{}}"#)
    }

    @Test func keysMatchByTheirBytes() {
        var object: JSONObject = ["\u{E9}": .integer(1)]
        object["e\u{301}"] = .integer(2)
        #expect(object.members.count == 2)
        #expect(object["\u{E9}"] == .integer(1))
        #expect(object["e\u{301}"] == .integer(2))
    }

    @Test func equalityIsStructural() throws {
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) == .object(["a": .integer(1), "b": .integer(2)]))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) != JSONParser.parse(#"{"b":2,"a":1}"#))
        #expect(try JSONParser.parse("[1.0]") != JSONParser.parse("[1]"))
        let reordered = try JSONParser.parse(#"{"b":2,"a":1}"#)
        #expect(reordered.canonicalBytes == (try JSONParser.parse(#"{"a":1,"b":2}"#)).canonicalBytes)
    }

    @Test func valueSubscriptEditsNestedObjects() throws {
        var value = try JSONParser.parse(#"{"config":{"Env":["A=1"]},"keep":[1]}"#)
        value["config"]?["User"] = .string("root")
        value["config"]?["Env"] = nil
        value["new"] = .strings(["x", "y"])
        #expect(JSONWriter.compact(value) == #"{"config":{"User":"root"},"keep":[1],"new":["x","y"]}"#)
        var scalar = JSONValue.null
        scalar["made"] = .bool(false)
        #expect(scalar == .object(["made": .bool(false)]))
    }

    @Test func typedAccessorsReadOnlyTheirType() throws {
        let value = try JSONParser.parse(
            #"{"s":"x","n":42,"b":true,"l":["a","b"],"m":{"k":"v","k":"w"},"mixed":["a",1]}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.stringValue == nil)
        #expect(value["n"]?.int64Value == 42)
        #expect(value["b"]?.boolValue == true)
        #expect(value["l"]?.stringArray == ["a", "b"])
        #expect(value["mixed"]?.stringArray == nil)
        #expect(value["m"]?.stringMap == ["k": "w"])
        #expect(value["l"]?.stringMap == nil)
        #expect(value["missing"] == nil)
        #expect(value["s"]?["deeper"] == nil)
    }

    @Test func stringMapsAreWrittenWithSortedKeys() {
        let value = JSONValue.stringMap(["team": "core", "vendor": "acme", "app": "x"])
        #expect(JSONWriter.compact(value) == #"{"app":"x","team":"core","vendor":"acme"}"#)
    }
}
