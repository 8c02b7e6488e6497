/// Errors raised while decoding a PDU. The responder maps every one of them to
/// `ERROR(InvalidRequest)` in exactly one place (see `SPDMResponder.ErrorMapping`).
public enum WireError: Error, Equatable, Sendable {
    /// The message ended before a field it must carry.
    case truncated(field: String, needed: Int, available: Int)
    /// A field holds a value the specification forbids.
    case invalidField(String)
    /// The message is longer than its fields say (only where the spec requires an exact size).
    case trailingBytes(Int)
}

/// A cursor over a received message. All multi-byte SPDM fields are little-endian (DSP0274 §7).
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readU8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readU16(_ field: String) throws -> UInt16 {
        try need(2, field)
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    public mutating func readU24(_ field: String) throws -> UInt32 {
        try need(3, field)
        defer { offset += 3 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
    }

    public mutating func readU32(_ field: String) throws -> UInt32 {
        try need(4, field)
        defer { offset += 4 }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * i) }
        return value
    }

    public mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func skip(_ count: Int, _ field: String) throws {
        try need(count, field)
        offset += count
    }

    public mutating func readRest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[min(offset, bytes.count)...])
    }

    private func need(_ count: Int, _ field: String) throws {
        guard count >= 0, remaining >= count else {
            throw WireError.truncated(field: field, needed: count, available: max(remaining, 0))
        }
    }
}
