import SPDMWire

/// What a decoder needs besides the bytes.
public struct PDUSizes: Sendable {
    public var context: WireContext
    public var exchangeDataSize: Int
    /// MeasurementSummaryHash present (CHALLENGE_AUTH, KEY_EXCHANGE_RSP) or signature requested (MEASUREMENTS).
    public var flag: Bool

    public init(context: WireContext, exchangeDataSize: Int, flag: Bool) {
        self.context = context
        self.exchangeDataSize = exchangeDataSize
        self.flag = flag
    }

    /// The choices FuzzWirePDU's input bytes index (seed generation writes those indices).
    public static let hashSizes = [0, 32, 48, 64]
    /// Classic sizes, then ML-DSA-65 / ML-DSA-87 (SPDM 1.4 PqcAsymSel).
    public static let signatureSizes = [0, 64, 96, 132, 256, 384, 512, 3309, 4627]
    /// DHE sizes, then the ML-KEM encapsulation keys (800 / 1184 / 1568) and ciphertexts (768 / 1088; 1568).
    public static let exchangeDataSizes = [0, 32, 64, 96, 132, 256, 384, 512, 768, 800, 1088, 1184, 1568]
}

/// One PDU's decoder and encoder, erased so the target can pick one by the input's first byte.
public struct PDUCodec: Sendable {
    public let name: String
    public let check: @Sendable ([UInt8], PDUSizes) -> Void

    /// `exact`: the PDU re-encodes every field it decodes, so decode(encode(x)) == x must hold too.
    /// (Others drop reserved or version-gated fields on encoding, e.g. DIGESTS Param1 before 1.3.)
    static func make<T: Hashable & Sendable>(_ name: String, exact: Bool,
                                  decode: @escaping @Sendable ([UInt8], PDUSizes) throws -> T,
                                  encode: @escaping @Sendable (T, PDUSizes) -> [UInt8]) -> PDUCodec {
        PDUCodec(name: name) { bytes, sizes in
            guard let first = try? decode(bytes, sizes) else { return }
            let encoded = encode(first, sizes)
            guard let second = try? decode(encoded, sizes) else {
                return fuzzCheck(false, "\(name): its own encoding \(encoded) of \(first) does not decode")
            }
            fuzzCheck(encode(second, sizes) == encoded, "\(name): encoding of \(second) is not a fixed point")
            if exact { fuzzCheck(second == first, "\(name): \(first) comes back as \(second)") }
        }
    }

    /// A PDU that conforms to SPDMMessage.
    static func message<T: SPDMMessage & Hashable & Sendable>(_ type: T.Type, exact: Bool) -> PDUCodec {
        make(String(describing: type), exact: exact,
             decode: { try T(decoding: $0, context: $1.context) },
             encode: { $0.encoded(context: $1.context) })
    }
}

public enum PDUCodecs {
    public static let all: [PDUCodec] = [
        .message(GetVersionRequest.self, exact: true),
        .message(VersionResponse.self, exact: true),
        .message(GetCapabilitiesRequest.self, exact: true),
        .message(CapabilitiesResponse.self, exact: true),
        .message(NegotiateAlgorithmsRequest.self, exact: false),
        .message(AlgorithmsResponse.self, exact: false),
        .message(GetDigestsRequest.self, exact: true),
        .message(DigestsResponse.self, exact: false),
        .message(GetCertificateRequest.self, exact: true),
        .message(CertificateResponse.self, exact: false),
        .message(ChallengeRequest.self, exact: true),
        .message(GetMeasurementsRequest.self, exact: false),
        .message(ErrorResponse.self, exact: true),
        .message(RespondIfReadyRequest.self, exact: true),
        .make("ChallengeAuthResponse", exact: true,
              decode: { try ChallengeAuthResponse(decoding: $0, context: $1.context, summaryHashPresent: $1.flag) },
              encode: { $0.encoded(context: $1.context) }),
        .make("MeasurementsResponse", exact: false,
              decode: { try MeasurementsResponse(decoding: $0, context: $1.context, signed: $1.flag) },
              encode: { $0.encoded(context: $1.context) }),
        .make("KeyExchangeRequest", exact: true,
              decode: { try KeyExchangeRequest(decoding: $0, exchangeDataSize: $1.exchangeDataSize) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("KeyExchangeResponse", exact: true,
              decode: { try KeyExchangeResponse(decoding: $0, exchangeDataSize: $1.exchangeDataSize,
                                                summaryHashSize: $1.flag ? $1.context.hashSize : 0,
                                                signatureSize: $1.context.signatureSize, verifyDataSize: $1.context.hashSize) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("FinishRequest", exact: true,
              decode: { try FinishRequest(decoding: $0, signatureSize: $1.context.signatureSize, verifyDataSize: $1.context.hashSize) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("PSKExchangeRequest", exact: true,
              decode: { bytes, _ in try PSKExchangeRequest(decoding: bytes) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("PSKFinishRequest", exact: true,
              decode: { try PSKFinishRequest(decoding: $0, verifyDataSize: $1.context.hashSize) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("PSKFinishResponse", exact: true,
              decode: { bytes, _ in try PSKFinishResponse(decoding: bytes) },
              encode: { message, _ in var out: [UInt8] = []; message.encode(into: &out); return out }),
        .make("EncapsulatedRequestResponse", exact: true,
              decode: { bytes, _ in try EncapsulatedRequestResponse(decoding: bytes) }, encode: { message, _ in message.encoded }),
        .make("DeliverEncapsulatedResponse", exact: true,
              decode: { bytes, _ in try DeliverEncapsulatedResponse(decoding: bytes) }, encode: { message, _ in message.encoded }),
        .make("EncapsulatedResponseAck", exact: true,
              decode: { bytes, _ in try EncapsulatedResponseAck(decoding: bytes) }, encode: { message, _ in message.encoded }),
        .make("MeasurementBlock", exact: true,
              decode: { bytes, _ in var reader = WireReader(bytes); return try MeasurementBlock(decoding: &reader) },
              encode: { block, _ in block.encoded }),
        .make("CertificateChainFormat", exact: true,
              decode: { bytes, sizes in
                  let parts = try CertificateChainFormat.parse(bytes, hashSize: sizes.context.hashSize)
                  return [parts.rootHash, parts.certificatesDER]
              },
              encode: { parts, _ in CertificateChainFormat.build(rootHash: parts[0], certificatesDER: parts[1]) }),
        .make("MessageHeader", exact: true,
              decode: { bytes, _ in try MessageHeader(peeking: bytes) },
              encode: { header, _ in var out: [UInt8] = []; header.encode(into: &out); return out }),
        // Large messages (1.2+; 32-bit ChunkSeqNo from 1.4, by the message's own version).
        .message(ChunkSendRequest.self, exact: true),
        .message(ChunkSendAckResponse.self, exact: true),
        .message(ChunkGetRequest.self, exact: true),
        .message(ChunkResponse.self, exact: true),
        // Provisioning (1.2-1.4); version-gated fields and the 1.4 PQC lengths make most inexact.
        .message(GetCSRRequest.self, exact: false),
        .message(CSRResponse.self, exact: true),
        .message(SetCertificateRequest.self, exact: false),
        .message(SetCertificateResponse.self, exact: false),
        .message(GetKeyPairInfoRequest.self, exact: true),
        .message(KeyPairInfoResponse.self, exact: false),
        .message(SetKeyPairInfoRequest.self, exact: false),
        .message(SetKeyPairInfoAckResponse.self, exact: true),
        // Endpoint info and the measurement extension log (1.3+).
        .message(GetEndpointInfoRequest.self, exact: false),
        .make("EndpointInfoResponse", exact: false,
              decode: { try EndpointInfoResponse(decoding: $0, context: $1.context, signed: $1.flag) },
              encode: { $0.encoded(context: $1.context) }),
        .make("DeviceClassIdentifier", exact: true,
              decode: { bytes, _ in try DeviceClassIdentifier(decoding: bytes) }, encode: { identifier, _ in identifier.encoded }),
        .message(GetMeasurementExtensionLogRequest.self, exact: true),
        .message(MeasurementExtensionLogResponse.self, exact: true),
        .make("MeasurementExtensionLog", exact: true,
              decode: { bytes, _ in try MeasurementExtensionLog(decoding: bytes) }, encode: { log, _ in log.encoded }),
        // Vendor-defined (1.4 large form by Param1 bit 7 at 1.4 only).
        .message(VendorDefinedRequest.self, exact: false),
        .message(VendorDefinedResponse.self, exact: false),
        // Events (1.3+).
        .message(GetSupportedEventTypesRequest.self, exact: true),
        .message(SupportedEventTypesResponse.self, exact: true),
        .message(SubscribeEventTypesRequest.self, exact: true),
        .message(SubscribeEventTypesAckResponse.self, exact: true),
        .message(SendEventRequest.self, exact: true),
        .message(EventAckResponse.self, exact: true),
    ]
}
