/// A request code (DSP0274 Table "SPDM request codes"). An open set: codes this build does not know
/// still decode, so the responder can answer them with `ERROR(UnsupportedRequest)`.
public struct RequestCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let getDigests = RequestCode(rawValue: 0x81)
    public static let getCertificate = RequestCode(rawValue: 0x82)
    public static let challenge = RequestCode(rawValue: 0x83)
    public static let getVersion = RequestCode(rawValue: 0x84)
    public static let chunkSend = RequestCode(rawValue: 0x85)
    public static let chunkGet = RequestCode(rawValue: 0x86)
    public static let getEndpointInfo = RequestCode(rawValue: 0x87)
    public static let getMeasurements = RequestCode(rawValue: 0xE0)
    public static let getCapabilities = RequestCode(rawValue: 0xE1)
    public static let getSupportedEventTypes = RequestCode(rawValue: 0xE2)
    public static let negotiateAlgorithms = RequestCode(rawValue: 0xE3)
    public static let keyExchange = RequestCode(rawValue: 0xE4)
    public static let finish = RequestCode(rawValue: 0xE5)
    public static let pskExchange = RequestCode(rawValue: 0xE6)
    public static let pskFinish = RequestCode(rawValue: 0xE7)
    public static let heartbeat = RequestCode(rawValue: 0xE8)
    public static let keyUpdate = RequestCode(rawValue: 0xE9)
    public static let getEncapsulatedRequest = RequestCode(rawValue: 0xEA)
    public static let deliverEncapsulatedResponse = RequestCode(rawValue: 0xEB)
    public static let endSession = RequestCode(rawValue: 0xEC)
    public static let getCSR = RequestCode(rawValue: 0xED)
    public static let setCertificate = RequestCode(rawValue: 0xEE)
    public static let getMeasurementExtensionLog = RequestCode(rawValue: 0xEF)
    public static let subscribeEventTypes = RequestCode(rawValue: 0xF0)
    public static let sendEvent = RequestCode(rawValue: 0xF1)
    public static let getKeyPairInfo = RequestCode(rawValue: 0xFC)
    public static let setKeyPairInfo = RequestCode(rawValue: 0xFD)
    public static let vendorDefinedRequest = RequestCode(rawValue: 0xFE)
    public static let respondIfReady = RequestCode(rawValue: 0xFF)

    private static let names: [UInt8: String] = [
        0x81: "GET_DIGESTS", 0x82: "GET_CERTIFICATE", 0x83: "CHALLENGE", 0x84: "GET_VERSION",
        0x85: "CHUNK_SEND", 0x86: "CHUNK_GET", 0x87: "GET_ENDPOINT_INFO", 0xE0: "GET_MEASUREMENTS",
        0xE1: "GET_CAPABILITIES", 0xE2: "GET_SUPPORTED_EVENT_TYPES", 0xE3: "NEGOTIATE_ALGORITHMS",
        0xE4: "KEY_EXCHANGE", 0xE5: "FINISH", 0xE6: "PSK_EXCHANGE", 0xE7: "PSK_FINISH", 0xE8: "HEARTBEAT",
        0xE9: "KEY_UPDATE", 0xEA: "GET_ENCAPSULATED_REQUEST", 0xEB: "DELIVER_ENCAPSULATED_RESPONSE",
        0xEC: "END_SESSION", 0xED: "GET_CSR", 0xEE: "SET_CERTIFICATE", 0xEF: "GET_MEASUREMENT_EXTENSION_LOG",
        0xF0: "SUBSCRIBE_EVENT_TYPES", 0xF1: "SEND_EVENT", 0xFC: "GET_KEY_PAIR_INFO", 0xFD: "SET_KEY_PAIR_INFO",
        0xFE: "VENDOR_DEFINED_REQUEST", 0xFF: "RESPOND_IF_READY",
    ]
    public var description: String { Self.names[rawValue] ?? "REQUEST_0x" + String(rawValue, radix: 16, uppercase: true) }
}
