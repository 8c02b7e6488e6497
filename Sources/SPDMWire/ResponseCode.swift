/// A response code (DSP0274 Table "SPDM response codes"); open like `RequestCode`.
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let digests = ResponseCode(rawValue: 0x01)
    public static let certificate = ResponseCode(rawValue: 0x02)
    public static let challengeAuth = ResponseCode(rawValue: 0x03)
    public static let version = ResponseCode(rawValue: 0x04)
    public static let chunkSendAck = ResponseCode(rawValue: 0x05)
    public static let chunkResponse = ResponseCode(rawValue: 0x06)
    public static let endpointInfo = ResponseCode(rawValue: 0x07)
    public static let measurements = ResponseCode(rawValue: 0x60)
    public static let capabilities = ResponseCode(rawValue: 0x61)
    public static let algorithms = ResponseCode(rawValue: 0x63)
    public static let keyExchangeRsp = ResponseCode(rawValue: 0x64)
    public static let finishRsp = ResponseCode(rawValue: 0x65)
    public static let pskExchangeRsp = ResponseCode(rawValue: 0x66)
    public static let pskFinishRsp = ResponseCode(rawValue: 0x67)
    public static let heartbeatAck = ResponseCode(rawValue: 0x68)
    public static let keyUpdateAck = ResponseCode(rawValue: 0x69)
    public static let encapsulatedRequest = ResponseCode(rawValue: 0x6A)
    public static let encapsulatedResponseAck = ResponseCode(rawValue: 0x6B)
    public static let endSessionAck = ResponseCode(rawValue: 0x6C)
    public static let csr = ResponseCode(rawValue: 0x6D)
    public static let setCertificateRsp = ResponseCode(rawValue: 0x6E)
    public static let measurementExtensionLog = ResponseCode(rawValue: 0x6F)
    public static let keyPairInfo = ResponseCode(rawValue: 0x7C)
    public static let setKeyPairInfoAck = ResponseCode(rawValue: 0x7D)
    public static let vendorDefinedResponse = ResponseCode(rawValue: 0x7E)
    public static let error = ResponseCode(rawValue: 0x7F)
    public static let supportedEventTypes = ResponseCode(rawValue: 0x62)
    public static let subscribeEventTypesAck = ResponseCode(rawValue: 0x70)
    public static let eventAck = ResponseCode(rawValue: 0x71)

    private static let names: [UInt8: String] = [
        0x01: "DIGESTS", 0x02: "CERTIFICATE", 0x03: "CHALLENGE_AUTH", 0x04: "VERSION", 0x05: "CHUNK_SEND_ACK",
        0x06: "CHUNK_RESPONSE", 0x60: "MEASUREMENTS",
        0x61: "CAPABILITIES", 0x63: "ALGORITHMS", 0x64: "KEY_EXCHANGE_RSP", 0x65: "FINISH_RSP",
        0x66: "PSK_EXCHANGE_RSP", 0x67: "PSK_FINISH_RSP", 0x68: "HEARTBEAT_ACK", 0x69: "KEY_UPDATE_ACK",
        0x6A: "ENCAPSULATED_REQUEST", 0x6B: "ENCAPSULATED_RESPONSE_ACK", 0x6C: "END_SESSION_ACK",
        0x7E: "VENDOR_DEFINED_RESPONSE", 0x7F: "ERROR",
        0x6D: "CSR", 0x6E: "SET_CERTIFICATE_RSP", 0x7C: "KEY_PAIR_INFO", 0x7D: "SET_KEY_PAIR_INFO_ACK",
        0x07: "ENDPOINT_INFO", 0x6F: "MEASUREMENT_EXTENSION_LOG",
        0x62: "SUPPORTED_EVENT_TYPES", 0x70: "SUBSCRIBE_EVENT_TYPES_ACK", 0x71: "EVENT_ACK",
    ]
    public var description: String { Self.names[rawValue] ?? "RESPONSE_0x" + String(rawValue, radix: 16, uppercase: true) }
}
