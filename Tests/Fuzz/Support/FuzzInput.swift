/// A cursor over one libFuzzer input. Reading past the end yields zeros and empty arrays, never a
/// trap: every input, however short, is a valid run.
public struct FuzzInput: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`.
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        self.init(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    }

    public var isAtEnd: Bool { offset >= bytes.count }
    public var remaining: Int { max(bytes.count - offset, 0) }

    public mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Little-endian, like the SPDM fields the seeds carry.
    public mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }

    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(offset + max(count, 0), bytes.count)
        defer { offset = end }
        return Array(bytes[min(offset, end)..<end])
    }

    public mutating func rest() -> [UInt8] { take(remaining) }

    /// One element of `choices`, chosen by the next byte.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int(u8()) % choices.count] }

    /// A record of the framing the multi-message targets use: u16 length (LE), then that many bytes.
    public mutating func lengthPrefixed() -> [UInt8] { take(Int(u16())) }
}

/// Builds the length-prefixed records `FuzzInput.lengthPrefixed` reads (seed generation).
public enum FuzzRecord {
    public static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(truncatingIfNeeded: bytes.count), UInt8(truncatingIfNeeded: bytes.count >> 8)] + bytes
    }
}

/// A broken property of the code under test: abort so libFuzzer saves the input as a crash.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                     file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    fatalError("fuzz property violated: \(message())", file: file, line: line)
}
