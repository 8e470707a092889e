/// A seeded corpus of broken inputs for fuzz tests: each input is a valid
/// seed put through a few random mutations (bytes flipped, inserted, deleted,
/// duplicated, spliced with another seed, cut short, or replaced by
/// characters that matter to parsers: quotes, backslashes, commas, colons,
/// brackets, NUL, invalid UTF-8, long runs).
///
/// The same seed gives the same inputs on every run, so a failure names the
/// input number to reproduce it; `KO_FUZZ_SEED` picks another seed and
/// `KO_FUZZ_SCALE` multiplies the counts.
///
///     var inputs = FaultyInputs(seeds: ["Bearer realm=\"x\""], seed: 7)
///     for _ in 0..<1000 { let bytes = inputs.next() ... }
public struct FaultyInputs {
    public let seeds: [[UInt8]]
    private var state: UInt64
    /// How many inputs were produced so far.
    public private(set) var produced = 0

    /// Bytes that parsers of headers, JSON, YAML and references care about.
    static let specials: [[UInt8]] = [
        "\"", "\\", ",", ":", ";", "=", "/", "@", "[", "]", "{", "}", "'", " ", "\t", "\n", "\r\n", "#", "&", "*",
        "-", "?", "|", ">", "!", "%", "\u{0}", "\\u0000", "\\ud800", "sha256:", "%00", "..", "\u{FEFF}", "1e999",
        "-0", "null", "true", "[[[[", "{{{{", "\"\\", "&a", "*a", "!!binary", "<<:", "---", "...",
    ].map { Array($0.utf8) } + [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]]

    public init(seeds: [String], seed: UInt64 = 1) {
        self.init(byteSeeds: seeds.map { Array($0.utf8) }, seed: seed)
    }

    public init(byteSeeds: [[UInt8]], seed: UInt64 = 1) {
        self.seeds = byteSeeds.isEmpty ? [[]] : byteSeeds
        let override = FaultyInputs.environment("KO_FUZZ_SEED").flatMap { UInt64($0) }
        self.state = (override ?? seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    /// `count` scaled by `KO_FUZZ_SCALE` (default 1).
    public static func count(_ count: Int) -> Int {
        let scale = environment("KO_FUZZ_SCALE").flatMap { Double($0) } ?? 1
        return max(1, Int(Double(count) * scale))
    }

    /// A random number (SplitMix64).
    public mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when bound is 0).
    public mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(random() % UInt64(bound))
    }

    /// The next input: one seed, every tenth unchanged, the rest mutated 1–8 times.
    public mutating func next() -> [UInt8] {
        produced += 1
        var bytes = seeds[below(seeds.count)]
        if produced % 10 == 1 { return bytes }
        for _ in 0...below(8) { mutate(&bytes) }
        return bytes
    }

    /// The next input as text (invalid UTF-8 repaired), for parsers taking strings.
    public mutating func nextText() -> String {
        String(decoding: next(), as: UTF8.self)
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let position = below(bytes.count + 1)
        switch below(9) {
        case 0 where !bytes.isEmpty:
            bytes[below(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << below(8))
        case 1:
            bytes.insert(UInt8(truncatingIfNeeded: random()), at: position)
        case 2 where !bytes.isEmpty:
            let end = min(bytes.count, position + 1 + below(16))
            if position < end { bytes.removeSubrange(position..<end) }
        case 3:
            let special = FaultyInputs.specials[below(FaultyInputs.specials.count)]
            bytes.insert(contentsOf: special, at: position)
        case 4 where !bytes.isEmpty:
            let start = below(bytes.count)
            let end = min(bytes.count, start + 1 + below(64))
            let piece = Array(bytes[start..<end])
            bytes.insert(contentsOf: piece, at: min(position, bytes.count))
        case 5:
            let other = seeds[below(seeds.count)]
            let cut = below(other.count + 1)
            bytes = Array(bytes.prefix(position)) + Array(other.suffix(from: cut))
        case 6:
            bytes = Array(bytes.prefix(position))
        case 7:
            let special = FaultyInputs.specials[below(FaultyInputs.specials.count)]
            let run = (0..<(1 + below(300))).flatMap { _ in special }
            bytes.insert(contentsOf: run, at: position)
        default:
            if !bytes.isEmpty {
                bytes[below(bytes.count)] = FaultyInputs.specials[below(FaultyInputs.specials.count)].first ?? 0
            }
        }
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

#if canImport(Glibc)
import Glibc
#endif
