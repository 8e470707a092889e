/// Marshals values into a D-Bus message in little-endian order (D-Bus
/// specification, "Marshaling (Wire Format)"). Alignment is counted from the
/// start of `bytes`, which must be the start of the message or of its body
/// (the body starts 8-aligned).
struct DBusEncoder {
    private(set) var bytes: [UInt8] = []

    init(prefix: [UInt8] = []) {
        bytes = prefix
    }

    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func append(_ raw: [UInt8]) {
        bytes += raw
    }

    mutating func uint32(_ value: UInt32) {
        pad(to: 4)
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func encode(_ value: DBusValue) {
        switch value {
        case let .byte(byte):
            bytes.append(byte)
        case let .boolean(flag):
            uint32(flag ? 1 : 0)
        case let .uint32(number):
            uint32(number)
        case let .int32(number):
            uint32(UInt32(bitPattern: number))
        case let .other(raw):
            pad(to: 8)
            withUnsafeBytes(of: raw.littleEndian) { bytes += $0 }
        case let .string(text), let .objectPath(text):
            let utf8 = Array(text.utf8)
            uint32(UInt32(utf8.count))
            bytes += utf8 + [0]
        case let .signature(text):
            let utf8 = Array(text.utf8)
            bytes += [UInt8(truncatingIfNeeded: utf8.count)] + utf8 + [0]
        case let .bytes(raw):
            uint32(UInt32(raw.count))
            bytes += raw
        case let .array(element, values):
            encodeArray(element: element, values)
        case let .structure(values):
            pad(to: 8)
            for value in values { encode(value) }
        case let .dictEntry(key, value):
            pad(to: 8)
            encode(key)
            encode(value)
        case let .variant(signature, value):
            encode(.signature(signature))
            encode(value)
        }
    }

    /// The length counts from the first element, after its padding.
    private mutating func encodeArray(element: String, _ values: [DBusValue]) {
        uint32(0)
        let lengthOffset = bytes.count - 4
        pad(to: DBusValue.alignment(of: Substring(element)))
        let start = bytes.count
        for value in values { encode(value) }
        withUnsafeBytes(of: UInt32(bytes.count - start).littleEndian) { length in
            for index in 0..<4 { bytes[lengthOffset + index] = length[index] }
        }
    }
}
