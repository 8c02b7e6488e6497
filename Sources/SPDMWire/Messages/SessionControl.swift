/// The small session-control PDUs (DSP0274 §10.19-10.21), each just the 4-byte header
/// (PSK_FINISH is in PSKFinish.swift):
///
///     HEARTBEAT       0xE8 / HEARTBEAT_ACK 0x68 | Reserved | Reserved
///     KEY_UPDATE      0xE9 / KEY_UPDATE_ACK 0x69 | Param1: KeyOperation | Param2: Tag
///     END_SESSION     0xEC | Param1: EndSessionRequestAttributes (bit 0: clear negotiated state) | Reserved
///     END_SESSION_ACK 0x6C | Reserved | Reserved
/// KEY_UPDATE operations (DSP0274 Table "KEY_UPDATE operations").
public struct KeyUpdateOperation: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let updateKey = Self(rawValue: 1)
    public static let updateAllKeys = Self(rawValue: 2)
    public static let verifyNewKey = Self(rawValue: 3)
}

/// END_SESSION attributes.
public struct EndSessionAttributes: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let clearNegotiatedState = Self(rawValue: 1 << 0)
}

/// A header-only response of the session-control family.
public enum SessionControlResponse {
    public static func heartbeatAck(_ version: SPDMVersion) -> [UInt8] { header(version, .heartbeatAck) }
    public static func endSessionAck(_ version: SPDMVersion) -> [UInt8] { header(version, .endSessionAck) }
    public static func keyUpdateAck(_ version: SPDMVersion, operation: KeyUpdateOperation, tag: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: ResponseCode.keyUpdateAck.rawValue, param1: operation.rawValue, param2: tag).encode(into: &out)
        return out
    }

    static func header(_ version: SPDMVersion, _ code: ResponseCode) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: code.rawValue).encode(into: &out)
        return out
    }
}
