/// GET_CERTIFICATE (DSP0274 §10.7, Table "GET_CERTIFICATE request message format").
///
///     +0 Version | +1 0x82 | +2 Param1: SlotID (bits 3..0), 1.4: bit7 LargeCertChain | +3 Param2: attributes (1.3+; bit0 SlotSizeRequested)
///     +4 Offset (2) | +6 Length (2)
///     1.4 with LargeCertChain (the Responder has LARGE_RESP_CAP): +8 LargeOffset (4) | +12 LargeLength (4),
///     which replace Offset and Length (sent as 0)
public struct GetCertificateRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var attributes: UInt8
    public var offset: UInt16
    public var length: UInt16
    /// LargeOffset and LargeLength of the 1.4 LargeCertChain form (nil: the 16-bit form).
    public var large: LargeRange?

    public struct LargeRange: Hashable, Sendable {
        public var offset: UInt32
        public var length: UInt32
        public init(offset: UInt32, length: UInt32) {
            self.offset = offset
            self.length = length
        }
    }

    public static let size = 8
    public static let largeSize = 16
    public static let slotSizeRequested: UInt8 = 0x01
    public static let largeCertChain: UInt8 = 0x80

    public init(version: SPDMVersion, slotID: UInt8, offset: UInt16, length: UInt16, attributes: UInt8 = 0) {
        self.version = version
        self.slotID = slotID
        self.attributes = attributes
        self.offset = offset
        self.length = length
    }

    /// The 1.4 LargeCertChain form.
    public init(version: SPDMVersion, slotID: UInt8, large: LargeRange, attributes: UInt8 = 0) {
        self.init(version: version, slotID: slotID, offset: 0, length: 0, attributes: attributes)
        self.large = large
    }

    /// The size of this request on the wire (and in transcript B).
    public var encodedSize: Int { large == nil ? Self.size : Self.largeSize }

    /// Offset and Length as numbers, whichever form carries them.
    public var range: (offset: UInt32, length: UInt32) {
        large.map { ($0.offset, $0.length) } ?? (UInt32(offset), UInt32(length))
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        attributes = header.version >= .v13 ? header.param2 : 0
        offset = try reader.readU16("Offset")
        length = try reader.readU16("Length")
        if header.version >= .v14 && header.param1 & Self.largeCertChain != 0 {
            large = LargeRange(offset: try reader.readU32("LargeOffset"), length: try reader.readU32("LargeLength"))
        }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getCertificate.rawValue,
                      param1: slotID | (large != nil ? Self.largeCertChain : 0), param2: attributes).encode(into: &out)
        out.appendU16(offset)
        out.appendU16(length)
        if let large {
            out.appendU32(large.offset)
            out.appendU32(large.length)
        }
    }
}
