/// EVENT_ACK (DSP0274 1.3 §10.27.3, Table "EVENT_ACK response message format"): the recipient
/// acknowledges every event of the SEND_EVENT it answers.
///
///     +0 Version | +1 0x71 | +2 Param1 reserved | +3 Param2 reserved
public struct EventAckResponse: SPDMMessage, Hashable {
    public var version: SPDMVersion

    public init(version: SPDMVersion) { self.version = version }

    public init(decoding bytes: [UInt8], context: WireContext) throws {
        var reader = WireReader(bytes)
        version = try MessageHeader(decoding: &reader).version
        guard reader.remaining == 0 else { throw WireError.trailingBytes(reader.remaining) }
    }

    public func encode(into out: inout [UInt8], context: WireContext) {
        MessageHeader(version: version, code: ResponseCode.eventAck.rawValue).encode(into: &out)
    }
}
