/// SET_KEY_PAIR_INFO_ACK (DSP0274 1.3 §10.26, Table "Successful SET_KEY_PAIR_INFO_ACK response message format").
///
///     +0 Version | +1 0x7D | +2 Param1 reserved | +3 Param2 reserved
public struct SetKeyPairInfoAckResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion

    public init(version: SPDMVersion) { self.version = version }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.setKeyPairInfoAck.rawValue).encode(into: &out)
    }
}
