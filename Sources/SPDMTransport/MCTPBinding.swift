/// The MCTP binding as spdm-emu puts it on the socket (DSP0275/DSP0276): no MCTP packet header,
/// just the message type byte, then the body.
///
///     +0 MessageType: 0x05 SPDM, 0x06 secured SPDM (DSP0276), others (0x01 PLDM ...) | +1 body
public struct MCTPBinding: TransportBinding {
    public static let spdmMessageType: UInt8 = 0x05
    public static let securedMessageType: UInt8 = 0x06

    public init() {}
    public var type: TransportType { .mctp }

    public func decode(_ payload: [UInt8]) throws -> TransportMessage {
        guard let messageType = payload.first else { throw BindingError.empty }
        let body = Array(payload.dropFirst())
        switch messageType & 0x7F {  // bit 7 is the MCTP integrity-check flag
        case Self.spdmMessageType: return .spdm(body)
        case Self.securedMessageType: return .securedSPDM(body)
        default: return .other(type: messageType, body: body)
        }
    }

    public func encode(_ message: TransportMessage) -> [UInt8] {
        switch message {
        case .spdm(let body): return [Self.spdmMessageType] + body
        case .securedSPDM(let body): return [Self.securedMessageType] + body
        case .other(let type, let body): return [type] + body
        case .bindingControl(let body): return body
        }
    }
}
