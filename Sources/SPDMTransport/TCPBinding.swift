/// The TCP binding (DSP0287): a 4-byte binding header before each message.
///
///     +0 PayloadLength (u16 LE: bytes after this header) | +2 BindingVersion (0x01)
///     +3 MessageType: 0x05 SPDM, 0x06 secured SPDM, 0xBF..: binding control
public struct TCPBinding: TransportBinding {
    public static let bindingVersion: UInt8 = 0x01
    public init() {}
    public var type: TransportType { .tcp }

    public func decode(_ payload: [UInt8]) throws -> TransportMessage {
        guard payload.count >= 4 else { throw BindingError.malformed("TCP binding header needs 4 bytes") }
        let length = Int(UInt16(payload[0]) | UInt16(payload[1]) << 8)
        guard length <= payload.count - 4 else { throw BindingError.malformed("PayloadLength \(length) beyond the frame") }
        let body = Array(payload[4..<(4 + length)])
        switch payload[3] {
        case 0x05: return .spdm(body)
        case 0x06: return .securedSPDM(body)
        default: return .other(type: payload[3], body: body)
        }
    }

    public func encode(_ message: TransportMessage) -> [UInt8] {
        let (type, body): (UInt8, [UInt8])
        switch message {
        case .spdm(let b): (type, body) = (0x05, b)
        case .securedSPDM(let b): (type, body) = (0x06, b)
        case .other(let t, let b): (type, body) = (t, b)
        case .bindingControl(let b): (type, body) = (0xBF, b)
        }
        return [UInt8(body.count & 0xFF), UInt8(body.count >> 8), Self.bindingVersion, type] + body
    }
}
