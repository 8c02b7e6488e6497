/// GET_CERTIFICATE (DSP0274 §10.7, Table "GET_CERTIFICATE request message format").
///
///     +0 Version | +1 0x82 | +2 Param1: SlotID (bits 3..0) | +3 Param2: attributes (1.3+; bit0 SlotSizeRequested)
///     +4 Offset (2) | +6 Length (2)
public struct GetCertificateRequest: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8
    public var attributes: UInt8
    public var offset: UInt16
    public var length: UInt16

    public static let size = 8
    public static let slotSizeRequested: UInt8 = 0x01

    public init(version: SPDMVersion, slotID: UInt8, offset: UInt16, length: UInt16, attributes: UInt8 = 0) {
        self.version = version
        self.slotID = slotID
        self.attributes = attributes
        self.offset = offset
        self.length = length
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
        attributes = header.version >= .v13 ? header.param2 : 0
        offset = try reader.readU16("Offset")
        length = try reader.readU16("Length")
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: RequestCode.getCertificate.rawValue, param1: slotID, param2: attributes)
            .encode(into: &out)
        out.appendU16(offset)
        out.appendU16(length)
    }
}
