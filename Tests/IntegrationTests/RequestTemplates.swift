import SPDMWire

/// What valid requests at one connection's version are built from: the negotiated sizes, the VCA
/// requests our requester sends, and the session-opening requests it would send (its secured-message
/// opaque data, its random parts fixed; nil where it cannot build them, as at 1.0).
struct TemplateContext: Sendable {
    var version: SPDMVersion
    var hashSize: Int
    var signatureSize: Int
    /// The negotiated DHE group's ExchangeData size (64 when none is negotiated, as at 1.0).
    var exchangeDataSize: Int
    var getCapabilities: [UInt8]
    var negotiateAlgorithms: [UInt8]
    var keyExchange: [UInt8]?
    var pskExchange: [UInt8]?
}

/// A valid request of every request code 0x81-0xFF (DSP0274 1.4 Table "SPDM request codes"; codes the
/// specification does not define get their bare header), with the layout of their multi-byte fields.
/// PDUs come from SPDMWire where it has them; the rest (chunking, events, CSR, key-pair info,
/// vendor-defined, ...) follow the DSP0274 1.3/1.4 tables byte by byte.
enum RequestTemplates {
    static let getVersion = GetVersionRequest().encoded(context: .unnegotiated(.v10))

    static func all(_ context: TemplateContext) -> [RequestTemplate] {
        (0x81...0xFF).flatMap { templates(for: UInt8($0), context) }
    }

    static func templates(for code: UInt8, _ context: TemplateContext) -> [RequestTemplate] {
        let v = context.version
        let wire = WireContext.unnegotiated(v)
        let nonce = pattern(32, from: 0x30)
        switch RequestCode(rawValue: code) {
        case .getDigests:
            return [RequestTemplate(name: "GET_DIGESTS", bytes: GetDigestsRequest(version: v).encoded(context: wire))]
        case .getCertificate:
            let offsetAndLength = [TemplateField(name: "Offset", offset: 4, width: 2), TemplateField(name: "Length", offset: 6, width: 2)]
            var result = [RequestTemplate(name: "GET_CERTIFICATE",
                                          bytes: GetCertificateRequest(version: v, slotID: 0, offset: 0, length: 0x200).encoded(context: wire),
                                          fields: offsetAndLength)]
            if v >= .v13 {
                result.append(RequestTemplate(
                    name: "GET_CERTIFICATE SlotSizeRequested",
                    bytes: GetCertificateRequest(version: v, slotID: 0, offset: 0, length: 0, attributes: GetCertificateRequest.slotSizeRequested)
                        .encoded(context: wire),
                    fields: offsetAndLength))
            }
            return result
        case .challenge:
            var fields = [TemplateField.data("Nonce", offset: 4, width: 32)]
            if v >= .v13 { fields.append(.data("RequesterContext", offset: 36, width: 8)) }
            return [MeasurementSummaryHashType.none, .all].map { summary in
                RequestTemplate(name: "CHALLENGE summary \(summary.rawValue)",
                                bytes: ChallengeRequest(version: v, slotID: 0, summaryHashType: summary, nonce: nonce,
                                                        requesterContext: v >= .v13 ? pattern(8, from: 0xC0) : []).encoded(context: wire),
                                fields: fields)
            }
        case .getVersion:
            return [RequestTemplate(name: "GET_VERSION", bytes: getVersion)]
        case .chunkSend:
            return [chunkSend(v)]
        case .chunkGet:
            var bytes = header(v, code, 0, 0)
            if v >= .v14 { bytes.appendU32(0) } else { bytes.appendU16(0) }
            return [RequestTemplate(name: "CHUNK_GET", bytes: bytes, fields: [TemplateField(name: "ChunkSeqNo", offset: 4, width: bytes.count - 4)])]
        case .getEndpointInfo:
            // Param1 SubCode 1 (DeviceClassIdentifier), Param2 SlotID; RequestAttributes bit 0 SignatureRequested; Reserved(3); Nonce.
            return [RequestTemplate(name: "GET_ENDPOINT_INFO", bytes: header(v, code, 0x01, 0) + [0x01, 0, 0, 0] + nonce,
                                    fields: [.data("Nonce", offset: 8, width: 32)])]
        case .getMeasurements:
            let signed = GetMeasurementsRequest(version: v, attributes: .signatureRequested, operation: GetMeasurementsRequest.operationAll,
                                                nonce: nonce, slotID: 0, requesterContext: pattern(8, from: 0xC0))
            let count = GetMeasurementsRequest(version: v, attributes: [], operation: GetMeasurementsRequest.operationTotalCount)
            // Nonce, SlotIDParam (1.1+), RequesterContext (1.3+).
            var fields = [TemplateField.data("Nonce", offset: 4, width: 32)]
            if v >= .v13 { fields.append(.data("RequesterContext", offset: 37, width: 8)) }
            return [RequestTemplate(name: "GET_MEASUREMENTS signed", bytes: signed.encoded(context: wire), fields: fields),
                    RequestTemplate(name: "GET_MEASUREMENTS count", bytes: count.encoded(context: wire))]
        case .getCapabilities:
            var fields: [TemplateField] = []
            if v >= .v11 { fields.append(TemplateField(name: "Flags", offset: 8, width: 4)) }
            if v >= .v12 {
                fields += [TemplateField(name: "DataTransferSize", offset: 12, width: 4), TemplateField(name: "MaxSPDMmsgSize", offset: 16, width: 4)]
            }
            return [RequestTemplate(name: "GET_CAPABILITIES", bytes: context.getCapabilities, fields: fields, setup: [getVersion])]
        case .negotiateAlgorithms:
            return [negotiateAlgorithms(context)]
        case .keyExchange:
            return [keyExchange(context)]
        case .finish:
            var bytes: [UInt8] = []
            FinishRequest(version: v, verifyData: pattern(context.hashSize, from: 0x50)).encode(into: &bytes)
            return [RequestTemplate(name: "FINISH", bytes: bytes, fields: finishFields(v, bytes.count, context.hashSize))]
        case .pskExchange:
            return [pskExchange(context)]
        case .pskFinish:
            var bytes: [UInt8] = []
            PSKFinishRequest(version: v, verifyData: pattern(context.hashSize, from: 0x50)).encode(into: &bytes)
            return [RequestTemplate(name: "PSK_FINISH", bytes: bytes, fields: finishFields(v, bytes.count, context.hashSize))]
        case .keyUpdate:
            // UpdateKey, UpdateAllKeys, VerifyNewKey (Param1), tag (Param2).
            return [KeyUpdateOperation.updateKey, .updateAllKeys, .verifyNewKey].map {
                RequestTemplate(name: "KEY_UPDATE \($0.rawValue)", bytes: header(v, code, $0.rawValue, 0x11))
            }
        case .deliverEncapsulatedResponse:
            // Carrying a DIGESTS response for slot 0, as mutual authentication would.
            let digests = header(v, ResponseCode.digests.rawValue, 0, 0x01) + pattern(context.hashSize, from: 0x70)
            return [RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE",
                                    bytes: DeliverEncapsulatedResponse(version: v, requestID: 1, encapsulatedResponse: digests).encoded,
                                    fields: [.data("Digest", offset: 8, width: context.hashSize)])]
        case .getCSR:
            // RequesterInfoLength, OpaqueDataLength, RequesterInfo, OpaqueData.
            var bytes = header(v, code, 0, 0)
            bytes.appendU16(8)
            bytes.appendU16(4)
            bytes += pattern(8, from: 0x30) + pattern(4, from: 0x40)
            return [RequestTemplate(name: "GET_CSR", bytes: bytes, fields: [
                .length("RequesterInfoLength", offset: 4, width: 2),
                .length("OpaqueDataLength", offset: 6, width: 2),
                .data("RequesterInfo", offset: 8, width: 8),
            ])]
        case .setCertificate:
            // Param1 SlotID 1; an SPDM certificate chain: Length, Reserved, RootHash, certificates.
            let certificates = [0x30, 0x0C] + pattern(12, from: 0x01)
            var bytes = header(v, code, 0x01, 0)
            bytes.appendU16(UInt16(4 + context.hashSize + certificates.count))
            bytes.appendU16(0)
            bytes += pattern(context.hashSize, from: 0x90) + certificates
            return [RequestTemplate(name: "SET_CERTIFICATE", bytes: bytes,
                                    fields: [.length("CertChain Length", offset: 4, width: 2),
                                             .data("RootHash", offset: 8, width: context.hashSize),
                                             .data("Certificates", offset: 8 + context.hashSize + 2, width: certificates.count - 2)])]
        case .getMeasurementExtensionLog:
            var bytes = header(v, code, 0, 0)
            bytes.appendU32(0)
            bytes.appendU32(0x400)
            return [RequestTemplate(name: "GET_MEASUREMENT_EXTENSION_LOG", bytes: bytes, fields: [
                TemplateField(name: "Offset", offset: 4, width: 4), TemplateField(name: "Length", offset: 8, width: 4),
            ])]
        case .subscribeEventTypes:
            // SubscribeEventGroupCount 0 with an empty list: unsubscribe from everything.
            var bytes = header(v, code, 0, 0)
            bytes.appendU32(0)
            return [RequestTemplate(name: "SUBSCRIBE_EVENT_TYPES", bytes: bytes,
                                    fields: [.length("SubscribeListLen", offset: 4, width: 4)])]
        case .sendEvent:
            var bytes = header(v, code, 0, 0)
            bytes.appendU32(0)
            return [RequestTemplate(name: "SEND_EVENT", bytes: bytes, fields: [.length("EventCount", offset: 4, width: 4)])]
        case .getKeyPairInfo:
            return [RequestTemplate(name: "GET_KEY_PAIR_INFO", bytes: header(v, code, 0, 0) + [0x01])]
        case .setKeyPairInfo:
            // Param1 Operation 0 (change); KeyPairID, Reserved, DesiredKeyUsage, DesiredAsymAlgo, DesiredAssocCertSlotMask.
            var bytes = header(v, code, 0, 0) + [0x01, 0x00]
            bytes.appendU16(0x0001)
            bytes.appendU32(0x0000_0008)
            bytes.append(0x01)
            return [RequestTemplate(name: "SET_KEY_PAIR_INFO", bytes: bytes, fields: [
                TemplateField(name: "DesiredKeyUsage", offset: 6, width: 2), TemplateField(name: "DesiredAsymAlgo", offset: 8, width: 4),
            ])]
        case .vendorDefinedRequest:
            // StandardID 3 (PCI-SIG), Len 2, VendorID, ReqLength, payload.
            var bytes = header(v, code, 0, 0)
            bytes.appendU16(3)
            bytes += [2, 0x86, 0x80]
            bytes.appendU16(4)
            bytes += [0x01, 0x02, 0x03, 0x04]
            return [RequestTemplate(name: "VENDOR_DEFINED_REQUEST", bytes: bytes, fields: [
                TemplateField(name: "StandardID", offset: 4, width: 2), .length("ReqLength", offset: 9, width: 2),
            ])]
        case .respondIfReady:
            return [RequestTemplate(name: "RESPOND_IF_READY",
                                    bytes: RespondIfReadyRequest(version: v, requestCode: .getMeasurements, token: 1).encoded(context: wire))]
        case .getSupportedEventTypes, .heartbeat, .getEncapsulatedRequest, .endSession:
            return [RequestTemplate(name: RequestCode(rawValue: code).description, bytes: header(v, code, 0, 0))]
        default:
            // Not a code DSP0274 defines: the bare header is all there is to vary.
            return [RequestTemplate(name: RequestCode(rawValue: code).description, bytes: header(v, code, 0, 0), randomCount: 2,
                                    definedCode: false)]
        }
    }

    // MARK: Templates with their own layout

    /// CHUNK_SEND (1.2+): Param1 attributes (LAST_CHUNK), Param2 handle; ChunkSeqNo (2 bytes, 4 from 1.4),
    /// Reserved (2, before 1.4), ChunkSize (4), LargeMessageSize (4, first chunk only), the chunk.
    static func chunkSend(_ v: SPDMVersion) -> RequestTemplate {
        let chunk = GetCertificateRequest(version: v, slotID: 0, offset: 0, length: 0x200).encoded(context: .unnegotiated(v))
        var bytes = header(v, RequestCode.chunkSend.rawValue, 0x01, 0)
        var fields: [TemplateField]
        if v >= .v14 {
            bytes.appendU32(0)
            fields = [TemplateField(name: "ChunkSeqNo", offset: 4, width: 4)]
        } else {
            bytes.appendU16(0)
            bytes.appendU16(0)
            fields = [TemplateField(name: "ChunkSeqNo", offset: 4, width: 2)]
        }
        fields.append(.length("ChunkSize", offset: bytes.count, width: 4))
        bytes.appendU32(UInt32(chunk.count))
        fields.append(.length("LargeMessageSize", offset: bytes.count, width: 4))
        bytes.appendU32(UInt32(chunk.count))
        return RequestTemplate(name: "CHUNK_SEND", bytes: bytes + chunk, fields: fields)
    }

    /// Length, BaseAsymAlgo, BaseHashAlgo and each AlgStructure's AlgSupported; after GET_VERSION and
    /// GET_CAPABILITIES, as the exact state it needs.
    static func negotiateAlgorithms(_ context: TemplateContext) -> RequestTemplate {
        let bytes = context.negotiateAlgorithms
        var fields = [.length("Length", offset: 4, width: 2),
                      TemplateField(name: "BaseAsymAlgo", offset: 8, width: 4), TemplateField(name: "BaseHashAlgo", offset: 12, width: 4)]
        let structures = NegotiateAlgorithmsRequest.fixedSize + 4 * (Int(bytes[28]) + Int(bytes[29]))
        for index in 0..<Int(bytes[2]) where structures + 4 * index + 4 <= bytes.count {
            fields.append(TemplateField(name: "AlgStructure \(index) AlgSupported", offset: structures + 4 * index + 2, width: 2))
        }
        return RequestTemplate(name: "NEGOTIATE_ALGORITHMS", bytes: bytes, fields: fields,
                               setup: [getVersion, context.getCapabilities])
    }

    /// ReqSessionID, RandomData, ExchangeData (our requester's own, or a pattern at 1.0), OpaqueDataLength.
    static func keyExchange(_ context: TemplateContext) -> RequestTemplate {
        let bytes = context.keyExchange ?? {
            var out: [UInt8] = []
            KeyExchangeRequest(version: context.version, summaryHashType: .none, slotID: 0, requesterSessionID: 0xFFFF,
                               randomData: pattern(32, from: 0x10), exchangeData: pattern(context.exchangeDataSize, from: 0x20),
                               opaqueData: [])
                .encode(into: &out)
            return out
        }()
        let opaqueLengthOffset = 40 + context.exchangeDataSize
        return RequestTemplate(name: "KEY_EXCHANGE", bytes: bytes, fields: [
            TemplateField(name: "ReqSessionID", offset: 4, width: 2),
            .data("RandomData", offset: 8, width: 32),
            .data("ExchangeData", offset: 40, width: opaqueLengthOffset - 40),
            .length("OpaqueDataLength", offset: opaqueLengthOffset, width: 2),
        ])
    }

    /// The P-256 generator (x || y): a valid SECP256R1 ExchangeData, the same on every run.
    static let secp256r1Generator: [UInt8] = [
        0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2,
        0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96,
        0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16,
        0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5,
    ]

    /// Our requester's KEY_EXCHANGE with its random parts fixed, so that the template and every mutation
    /// are the same on each run: RandomData a pattern, a SECP256R1 ExchangeData the curve's generator.
    static func fixingRandomness(ofKeyExchange request: [UInt8], exchangeDataSize: Int) -> [UInt8] {
        var bytes = request
        guard bytes.count >= 40 + exchangeDataSize else { return bytes }
        bytes.replaceSubrange(8..<40, with: pattern(32, from: 0x10))
        if exchangeDataSize == secp256r1Generator.count {
            bytes.replaceSubrange(40..<(40 + exchangeDataSize), with: secp256r1Generator)
        }
        return bytes
    }

    /// Our requester's PSK_EXCHANGE with a patterned RequesterContext instead of its random one.
    static func fixingRandomness(ofPSKExchange request: [UInt8]) -> [UInt8] {
        var bytes = request
        guard bytes.count >= 12 else { return bytes }
        let start = 12 + (Int(bytes[6]) | Int(bytes[7]) << 8)
        let end = start + (Int(bytes[8]) | Int(bytes[9]) << 8)
        guard end <= bytes.count else { return bytes }
        bytes.replaceSubrange(start..<end, with: pattern(end - start, from: 0x10))
        return bytes
    }

    /// ReqSessionID, PSKHintLength, RequesterContextLength, OpaqueDataLength.
    static func pskExchange(_ context: TemplateContext) -> RequestTemplate {
        let bytes = context.pskExchange ?? {
            var out: [UInt8] = []
            PSKExchangeRequest(version: context.version, summaryHashType: .none, requesterSessionID: 0xFFFF,
                               pskHint: Array("TestPskHint".utf8) + [0], requesterContext: pattern(32, from: 0x10), opaqueData: [])
                .encode(into: &out)
            return out
        }()
        let hintLength = Int(bytes[6]) | Int(bytes[7]) << 8
        let contextLength = Int(bytes[8]) | Int(bytes[9]) << 8
        return RequestTemplate(name: "PSK_EXCHANGE", bytes: bytes, fields: [
            TemplateField(name: "ReqSessionID", offset: 4, width: 2),
            .data("RequesterContext", offset: 12 + hintLength, width: contextLength),
            .length("PSKHintLength", offset: 6, width: 2),
            .length("RequesterContextLength", offset: 8, width: 2),
            .length("OpaqueDataLength", offset: 10, width: 2),
        ])
    }

    /// A DELIVER_ENCAPSULATED_RESPONSE our requester sent in mutual authentication: DIGESTS (its digests
    /// as data), or CERTIFICATE (PortionLength, RemainderLength, the chain portion as data).
    static func encapsulatedDelivery(_ bytes: [UInt8]) -> RequestTemplate {
        let inner = 4
        guard bytes.count >= inner + 4 else { return RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE", bytes: bytes) }
        switch ResponseCode(rawValue: bytes[inner + 1]) {
        case .certificate where bytes.count > inner + 8:
            return RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE (CERTIFICATE)", bytes: bytes, fields: [
                .length("PortionLength", offset: inner + 4, width: 2), .length("RemainderLength", offset: inner + 6, width: 2),
                .data("CertChain portion", offset: inner + 8, width: bytes.count - inner - 8),
            ])
        case .digests:
            // 1.3+: SupportedSlotMask (Param1) and ProvisionedSlotMask (Param2) before the digests.
            return RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE (DIGESTS)", bytes: bytes,
                                   fields: [.data("Digest", offset: inner + 4, width: bytes.count - inner - 4)])
        default:
            return RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE", bytes: bytes)
        }
    }

    /// FINISH and PSK_FINISH: OpaqueDataLength at offset 4 from 1.4; RequesterVerifyData last.
    static func finishFields(_ v: SPDMVersion, _ count: Int, _ hashSize: Int) -> [TemplateField] {
        var fields = [TemplateField.data("RequesterVerifyData", offset: count - hashSize, width: hashSize)]
        if v >= .v14 { fields.append(.length("OpaqueDataLength", offset: 4, width: 2)) }
        return fields
    }

    static func header(_ version: SPDMVersion, _ code: UInt8, _ param1: UInt8, _ param2: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: code, param1: param1, param2: param2).encode(into: &out)
        return out
    }

    /// Recognisable, non-zero filler (nonces, verify data, hashes).
    static func pattern(_ count: Int, from start: UInt8) -> [UInt8] {
        (0..<count).map { start &+ UInt8(truncatingIfNeeded: $0) }
    }
}
