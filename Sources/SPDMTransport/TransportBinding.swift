/// What a transport payload carries once the binding header is off.
public enum TransportMessage: Hashable, Sendable {
    /// A plain SPDM message.
    case spdm([UInt8])
    /// A DSP0277 secured message (session id first).
    case securedSPDM([UInt8])
    /// A binding-level request the binding answers itself (PCI-DOE discovery).
    case bindingControl(request: [UInt8])
    /// Another message type the binding does not route to SPDM.
    case other(type: UInt8, body: [UInt8])
}

public enum BindingError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case malformed(String)

    public var description: String {
        switch self {
        case .empty: return "empty transport message"
        case .malformed(let reason): return "malformed transport message: \(reason)"
        }
    }
}

/// Wraps and unwraps SPDM messages for one transport binding.
public protocol TransportBinding: Sendable {
    var type: TransportType { get }
    func decode(_ payload: [UInt8]) throws -> TransportMessage
    func encode(_ message: TransportMessage) -> [UInt8]
    /// The answer to a `.bindingControl` request (PCI-DOE discovery), nil if none.
    func controlResponse(to request: [UInt8]) -> [UInt8]?
}

extension TransportBinding {
    public func controlResponse(to request: [UInt8]) -> [UInt8]? { nil }
}

public enum TransportBindings {
    public static func binding(for type: TransportType) -> any TransportBinding {
        switch type {
        case .mctp: return MCTPBinding()
        case .pciDOE: return PCIDOEBinding()
        case .none: return NoneBinding()
        case .tcp: return TCPBinding()
        }
    }
}
