/// One frame of the spdm-emu platform socket protocol (both directions, one stream socket):
///
///     +0 Command (u32 big-endian) | +4 TransportType (u32 big-endian) | +8 PayloadSize (u32 big-endian)
///     +12 Payload (PayloadSize bytes: a transport message with little-endian fields inside)
public struct PlatformFrame: Hashable, Sendable {
    public var command: PlatformCommand
    public var transport: TransportType
    public var payload: [UInt8]

    public static let headerSize = 12

    public init(command: PlatformCommand, transport: TransportType, payload: [UInt8] = []) {
        self.command = command
        self.transport = transport
        self.payload = payload
    }

    /// The frame as it goes on the wire, in one buffer so it leaves in one write.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + payload.count)
        appendBigEndian(command.rawValue, to: &out)
        appendBigEndian(transport.rawValue, to: &out)
        appendBigEndian(UInt32(payload.count), to: &out)
        out.append(contentsOf: payload)
        return out
    }

    private func appendBigEndian(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }
}

/// The 12-byte header of a platform frame: the one place it is parsed and checked, for the
/// daemon's NIO decoder and for the blocking clients (spdmctl, the tests) alike.
///
///     +0 Command (u32 BE) | +4 TransportType (u32 BE) | +8 PayloadSize (u32 BE)
public struct PlatformFrameHeader: Hashable, Sendable {
    public var command: PlatformCommand
    /// The TransportType field as received (an unknown value survives for the error message).
    public var transportType: UInt32
    public var payloadSize: UInt32

    /// Parses the first 12 bytes of `bytes`; nil when fewer are there.
    public init?<Bytes: Collection>(decoding bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count >= PlatformFrame.headerSize else { return nil }
        var index = bytes.startIndex
        // Big-endian u32 at `index`, moving past it (no array per header: this runs per frame).
        func field() -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                value = value << 8 | UInt32(bytes[index])
                index = bytes.index(after: index)
            }
            return value
        }
        command = PlatformCommand(rawValue: field())
        transportType = field()
        payloadSize = field()
    }

    /// A frame over `maximumPayloadSize`, or of another transport than `expectedTransport` (when
    /// given), is a framing error: the connection ends, never the process.
    public func check(maximumPayloadSize: Int, expectedTransport: TransportType?) throws {
        guard UInt64(payloadSize) <= UInt64(maximumPayloadSize) else {
            throw FramingError.payloadTooLarge(claimed: payloadSize, maximum: maximumPayloadSize)
        }
        if let expectedTransport, transportType != expectedTransport.rawValue {
            throw FramingError.wrongTransport(received: transportType, expected: expectedTransport)
        }
    }

    /// The frame this header starts, with its payload.
    public func frame(payload: [UInt8]) -> PlatformFrame {
        PlatformFrame(command: command, transport: TransportType(rawValue: transportType) ?? .none, payload: payload)
    }
}

/// Platform commands (spdm-emu's command.h).
public struct PlatformCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An SPDM or secured message; answered with NORMAL.
    public static let normal = PlatformCommand(rawValue: 0x0001)
    /// Out-of-band: prepare a responder-initiated KEY_UPDATE for the session in the payload.
    public static let oobEncapKeyUpdate = PlatformCommand(rawValue: 0x8001)
    /// Out-of-band: prepare an encapsulated GET_ENDPOINT_INFO.
    public static let oobEncapEndpointInfo = PlatformCommand(rawValue: 0x8002)
    /// The requester's hello, "Client Hello!\0"; answered "Server Hello!\0".
    public static let test = PlatformCommand(rawValue: 0xDEAD)
    public static let continueCommand = PlatformCommand(rawValue: 0xFFFD)
    public static let shutdown = PlatformCommand(rawValue: 0xFFFE)
    /// The reply to a command the responder does not know.
    public static let unknown = PlatformCommand(rawValue: 0xFFFF)

    public static let clientHello: [UInt8] = Array("Client Hello!".utf8) + [0]
    public static let serverHello: [UInt8] = Array("Server Hello!".utf8) + [0]

    public var description: String {
        switch self {
        case .normal: return "NORMAL"
        case .oobEncapKeyUpdate: return "OOB_ENCAP_KEY_UPDATE"
        case .oobEncapEndpointInfo: return "OOB_ENCAP_ENDPOINT_INFO"
        case .test: return "TEST"
        case .continueCommand: return "CONTINUE"
        case .shutdown: return "SHUTDOWN"
        case .unknown: return "UNKNOWN"
        default: return "0x" + String(rawValue, radix: 16)
        }
    }
}

/// The TransportType field: which binding the payload uses.
public enum TransportType: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case mctp = 1
    case pciDOE = 2
    case tcp = 3

    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "none": self = .none
        case "mctp": self = .mctp
        case "pci-doe", "pcidoe", "doe": self = .pciDOE
        case "tcp": self = .tcp
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .mctp: return "mctp"
        case .pciDOE: return "pci-doe"
        case .tcp: return "tcp"
        }
    }
}
