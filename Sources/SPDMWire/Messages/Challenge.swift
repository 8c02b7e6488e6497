/// CHALLENGE (DSP0274 §10.8, Table "CHALLENGE request message format").
///
///     +0 Version | +1 0x83 | +2 Param1: SlotID (0xFF = provisioned public key) | +3 Param2: MeasurementSummaryHashType
///     +4 Nonce (32) | +36 RequesterContext (8, 1.3+)
public struct ChallengeRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var summaryHashType: MeasurementSummaryHashType
    public var nonce: [UInt8]
    public var requesterContext: [UInt8]

    public static func expectedSize(_ version: SPDMVersion) -> Int { version >= .v13 ? 44 : 36 }

    public init(version: SPDMVersion, slotID: UInt8, summaryHashType: MeasurementSummaryHashType,
                nonce: [UInt8], requesterContext: [UInt8] = []) {
        self.version = version
        self.slotID = slotID
        self.summaryHashType = summaryHashType
        self.nonce = nonce
        self.requesterContext = version >= .v13 ? (requesterContext.isEmpty ? [UInt8](repeating: 0, count: 8) : requesterContext) : []
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1
        summaryHashType = MeasurementSummaryHashType(rawValue: header.param2)
        nonce = try reader.readBytes(32, "Nonce")
        requesterContext = header.version >= .v13 ? try reader.readBytes(8, "RequesterContext") : []
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.challenge.rawValue, param1: slotID,
                      param2: summaryHashType.rawValue).encode(into: &out)
        out.append(contentsOf: nonce)
        out.append(contentsOf: requesterContext)
    }
}

/// Which measurement summary hash CHALLENGE or KEY_EXCHANGE asks for (DSP0274 Table "CHALLENGE request"):
/// 0 none, 1 TCB components only, 0xFF all measurements.
public struct MeasurementSummaryHashType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let none = Self(rawValue: 0x00)
    public static let tcb = Self(rawValue: 0x01)
    public static let all = Self(rawValue: 0xFF)
    public var isValid: Bool { self == .none || self == .tcb || self == .all }
}
