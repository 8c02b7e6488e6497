import SPDMCrypto

/// A device's pre-shared keys by hint (DSP0274 §10.16 PSK_EXCHANGE "PSKHint"). Keys are cleansed when
/// the store goes away.
public struct PSKStore: Sendable {
    public struct Entry: Sendable {
        public var hint: [UInt8]
        fileprivate var storage: SecretBytes
        public var key: [UInt8] { storage.bytes }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(hint: [UInt8], key: [UInt8]) {
        entries.append(Entry(hint: hint, storage: SecretBytes(key)))
    }

    public func key(forHint hint: [UInt8]) -> [UInt8]? {
        entries.first { constantTimeEquals($0.hint, hint) }?.key
    }

    public var count: Int { entries.count }
}

/// Owns secret bytes and zeroes them on release.
final class SecretBytes: @unchecked Sendable {
    private(set) var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    deinit { secureZero(&bytes) }
}
