/// SUBSCRIBE_EVENT_TYPES_ACK (DSP0274 1.3 §10.27.2, Table "SUBSCRIBE_EVENT_TYPES_ACK response message format").
///
///     +0 Version | +1 0x70 | +2 Param1 reserved | +3 Param2 reserved
public struct SubscribeEventTypesAckResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion

    public init(version: SPDMVersion) { self.version = version }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.subscribeEventTypesAck.rawValue).encode(into: &out)
    }
}
