/// SET_CERTIFICATE_RSP (DSP0274 §10.23, Table "Successful SET_CERTIFICATE_RSP response message format").
///
///     +0 Version | +1 0x6E | +2 Param1: bits 3:0 SlotID | +3 Param2 reserved
public struct SetCertificateResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion
    public var slotID: UInt8

    public init(version: SPDMVersion, slotID: UInt8) {
        self.version = version
        self.slotID = slotID
    }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        let header = try MessageHeader(decoding: &reader)
        version = header.version
        slotID = header.param1 & 0x0F
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.setCertificateRsp.rawValue, param1: slotID & 0x0F).encode(into: &out)
    }
}
