/// GET_MEASUREMENTS (DSP0274 §10.11, Table "GET_MEASUREMENTS request message format").
///
///     +0 Version | +1 0xE0 | +2 Param1: attributes | +3 Param2: MeasurementOperation
///        attributes: bit0 SignatureRequested, bit1 RawBitStreamRequested (1.2+), bit2 NewMeasurementRequested (1.3+)
///        operation:  0x00 total count, 0x01..0xFE one index, 0xFF all
///     if signature requested:  +4 Nonce (32) | +36 SlotIDParam (1, 1.1+)
///     1.3+:                    RequesterContext (8), with or without a signature
public struct GetMeasurementsRequest: SPDMMessage, Hashable {
    public struct Attributes: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let signatureRequested = Attributes(rawValue: 1 << 0)
        public static let rawBitStreamRequested = Attributes(rawValue: 1 << 1)
        public static let newMeasurementRequested = Attributes(rawValue: 1 << 2)
    }

    public static let operationTotalCount: UInt8 = 0x00
    public static let operationAll: UInt8 = 0xFF

    public var version: SPDMVersion
    public var attributes: Attributes
    public var operation: UInt8
    public var nonce: [UInt8]
    public var slotID: UInt8
    public var requesterContext: [UInt8]

    public init(version: SPDMVersion, attributes: Attributes, operation: UInt8, nonce: [UInt8] = [],
                slotID: UInt8 = 0, requesterContext: [UInt8] = []) {
        self.version = version
        self.attributes = attributes
        self.operation = operation
        self.nonce = attributes.contains(.signatureRequested) ? nonce : []
        self.slotID = slotID
        self.requesterContext = version >= .v13 ? (requesterContext.isEmpty ? [UInt8](repeating: 0, count: 8) : requesterContext) : []
    }

    public static func expectedSize(_ version: SPDMVersion, signed: Bool) -> Int {
        var size = 4
        if signed { size += 32 + (version >= .v11 ? 1 : 0) }
        if version >= .v13 { size += 8 }
        return size
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        attributes = Attributes(rawValue: header.param1)
        operation = header.param2
        nonce = []
        slotID = 0
        if attributes.contains(.signatureRequested) {
            nonce = try reader.readBytes(32, "Nonce")
            if version >= .v11 { slotID = try reader.readU8("SlotIDParam") & 0x0F }
        }
        requesterContext = version >= .v13 ? try reader.readBytes(8, "RequesterContext") : []
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getMeasurements.rawValue, param1: attributes.rawValue,
                      param2: operation).encode(into: &out)
        if attributes.contains(.signatureRequested) {
            out.append(contentsOf: nonce)
            if version >= .v11 { out.appendU8(slotID) }
        }
        out.append(contentsOf: requesterContext)
    }
}
