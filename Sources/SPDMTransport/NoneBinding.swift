/// The NONE binding: the payload is the SPDM message itself.
public struct NoneBinding: TransportBinding {
    public init() {}
    public var type: TransportType { .none }

    public func decode(_ payload: [UInt8]) throws -> TransportMessage {
        guard !payload.isEmpty else { throw BindingError.empty }
        return .spdm(payload)
    }

    public func encode(_ message: TransportMessage) -> [UInt8] {
        switch message {
        case .spdm(let body), .securedSPDM(let body), .bindingControl(let body), .other(_, let body): return body
        }
    }
}
