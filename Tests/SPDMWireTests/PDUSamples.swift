@testable import SPDMWire

/// One PDU sample: how to encode it, decode it back, and compare.
struct PDUSample: Sendable, CustomStringConvertible {
    var description: String
    var context: WireContext
    var encoded: [UInt8]
    /// Decodes `bytes` and says whether the result equals the original value.
    var decodesEqual: @Sendable ([UInt8]) throws -> Bool
    /// True when every strict prefix of `encoded` must fail to decode (false for ERROR, whose
    /// extended data is "the rest of the message").
    var everyPrefixThrows: Bool = true

    static func message<T: SPDMMessage & Equatable>(_ name: String, _ value: T, context: WireContext, prefixesThrow: Bool = true) -> PDUSample {
        PDUSample(description: name, context: context, encoded: value.encoded(context: context),
                  decodesEqual: { try T(decoding: $0, context: context) == value }, everyPrefixThrows: prefixesThrow)
    }
}

enum Samples {
    static let nonce = (0..<32).map { UInt8($0) }
    static let context8: [UInt8] = [0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7]
    static func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) &+ seed } }

    static let negotiated12 = WireContext(version: .v12, hashSize: 48, signatureSize: 96, measurementHashSize: 48)
    static func negotiated(_ version: SPDMVersion) -> WireContext {
        WireContext(version: version, hashSize: 48, signatureSize: 96, measurementHashSize: 48)
    }

    static let blocks = [
        MeasurementBlock(index: 1, valueType: .immutableROM, isRawBitStream: false, value: bytes(48, 1)),
        MeasurementBlock(index: 2, valueType: .version, isRawBitStream: true, value: Array("1.2.3".utf8)),
        MeasurementBlock(index: 0x10, valueType: .init(rawValue: 0x7F), isRawBitStream: true, value: []),
    ]

    static var all: [PDUSample] {
        var samples: [PDUSample] = []
        samples.append(.message("GET_VERSION", GetVersionRequest(), context: .unnegotiated(.v10)))
        samples.append(.message("VERSION", VersionResponse(versions: SPDMVersion.all), context: .unnegotiated(.v10)))
        samples.append(.message("VERSION (one entry)", VersionResponse(versions: [.v12]), context: .unnegotiated(.v10)))
        samples.append(.message("GET_CAPABILITIES 1.0", GetCapabilitiesRequest(version: .v10), context: .unnegotiated(.v10)))
        samples.append(.message("GET_CAPABILITIES 1.1",
                                GetCapabilitiesRequest(version: .v11, ctExponent: 10, flags: [.cert, .chal, .encrypt, .mac, .keyEx]),
                                context: .unnegotiated(.v11)))
        for version in [SPDMVersion.v12, .v13, .v14] {
            samples.append(.message("GET_CAPABILITIES \(version)",
                                    GetCapabilitiesRequest(version: version, ctExponent: 12, flags: [.cert, .chunk],
                                                           dataTransferSize: 1024, maxSPDMMessageSize: 65536, param1: version >= .v13 ? 1 : 0),
                                    context: .unnegotiated(version)))
        }
        for version in SPDMVersion.all {
            let modern = version >= .v12
            samples.append(.message("CAPABILITIES \(version)",
                                    CapabilitiesResponse(version: version, ctExponent: 14, flags: [.cert, .chal, .measWithSignature],
                                                         dataTransferSize: modern ? 4096 : 0, maxSPDMMessageSize: modern ? 8192 : 0),
                                    context: .unnegotiated(version)))
            let structures = version >= .v11 ? [
                AlgorithmStructure(type: .dhe, supported: DHEGroups.secp384r1.rawValue),
                AlgorithmStructure(type: .aead, supported: AEADSuites.aes256GCM.rawValue, externals: [0x1234_5678]),
                AlgorithmStructure(type: .requesterBaseAsym, supported: 0x0008),
                AlgorithmStructure(type: .keySchedule, supported: 0x0001),
            ] : []
            samples.append(.message("NEGOTIATE_ALGORITHMS \(version)",
                                    NegotiateAlgorithmsRequest(version: version, otherParams: modern ? .opaqueDataFormat1 : [],
                                                               baseAsym: [.ecdsaP384, .rsapss3072], baseHash: [.sha384, .sha256],
                                                               melSpecification: version >= .v13 ? 1 : 0,
                                                               extAsym: [0xAABB_CCDD], extHash: [], structures: structures),
                                    context: .unnegotiated(version)))
            samples.append(.message("ALGORITHMS \(version)",
                                    AlgorithmsResponse(version: version, measurementSpecification: .dmtf,
                                                       otherParams: modern ? .opaqueDataFormat1 : [],
                                                       measurementHash: MeasurementHashAlgorithms(baseHash: .sha384),
                                                       baseAsym: .ecdsaP384, baseHash: .sha384, melSpecification: version >= .v13 ? 1 : 0,
                                                       extAsym: [], extHash: [7], structures: structures),
                                    context: .unnegotiated(version)))
            let context = negotiated(version)
            samples.append(.message("GET_DIGESTS \(version)", GetDigestsRequest(version: version), context: context))
            samples.append(.message("DIGESTS \(version)",
                                    DigestsResponse(version: version, supportedSlotMask: version >= .v13 ? 0x0F : 0,
                                                    provisionedSlotMask: 0x05, digests: [bytes(48, 3), bytes(48, 9)]),
                                    context: context))
            samples.append(.message("GET_CERTIFICATE \(version)",
                                    GetCertificateRequest(version: version, slotID: 3, offset: 0x0400, length: 0x0200,
                                                          attributes: version >= .v13 ? GetCertificateRequest.slotSizeRequested : 0),
                                    context: context))
            samples.append(.message("CERTIFICATE \(version)",
                                    CertificateResponse(version: version, slotID: 3, certificateInfo: version >= .v13 ? 1 : 0,
                                                        remainderLength: 0x123, portion: bytes(200, 5)),
                                    context: context))
            if version >= .v14 {
                samples.append(.message("GET_CERTIFICATE \(version) LargeCertChain",
                                        GetCertificateRequest(version: version, slotID: 2, large: .init(offset: 0x0001_0000, length: 0x0002_0000)),
                                        context: context))
                samples.append(.message("CERTIFICATE \(version) LargeCertChain",
                                        CertificateResponse(version: version, slotID: 2, largeRemainderLength: 0x0001_2345, portion: bytes(300, 6)),
                                        context: context))
            }
            samples.append(.message("CHALLENGE \(version)",
                                    ChallengeRequest(version: version, slotID: 1, summaryHashType: .all, nonce: nonce,
                                                     requesterContext: version >= .v13 ? context8 : []),
                                    context: context))
            for summary in [true, false] {
                let auth = ChallengeAuthResponse(
                    version: version, slotID: 1, basicMutualAuthRequested: version == .v11, slotMask: 0x03,
                    certChainHash: bytes(48, 11), nonce: nonce, measurementSummaryHash: summary ? bytes(48, 13) : [],
                    opaqueData: [1, 2, 3], requesterContext: version >= .v13 ? context8 : [], signature: bytes(96, 17))
                samples.append(PDUSample(description: "CHALLENGE_AUTH \(version) summary \(summary)", context: context,
                                         encoded: auth.encoded(context: context),
                                         decodesEqual: { try ChallengeAuthResponse(decoding: $0, context: context, summaryHashPresent: summary) == auth }))
            }
            for signed in [true, false] {
                var attributes: GetMeasurementsRequest.Attributes = signed ? .signatureRequested : []
                if modern { attributes.insert(.rawBitStreamRequested) }
                samples.append(.message("GET_MEASUREMENTS \(version) signed \(signed)",
                                        GetMeasurementsRequest(version: version, attributes: attributes, operation: 0xFF, nonce: nonce,
                                                               slotID: version >= .v11 && signed ? 2 : 0,
                                                               requesterContext: version >= .v13 ? context8 : []),
                                        context: context, prefixesThrow: signed || version >= .v13))
                let measurements = MeasurementsResponse(
                    version: version, totalMeasurementCount: 0, slotID: signed ? 2 : 0, contentChanged: modern ? 0x10 : 0,
                    blocks: blocks, nonce: nonce, opaqueData: [9, 9], requesterContext: version >= .v13 ? context8 : [],
                    signature: signed ? bytes(96, 19) : [])
                samples.append(PDUSample(description: "MEASUREMENTS \(version) signed \(signed)", context: context,
                                         encoded: measurements.encoded(context: context),
                                         decodesEqual: { try MeasurementsResponse(decoding: $0, context: context, signed: signed) == measurements }))
            }
            samples.append(.message("RESPOND_IF_READY \(version)",
                                    RespondIfReadyRequest(version: version, requestCode: .challenge, token: 7), context: context))
            samples.append(.message("ERROR \(version)", ErrorResponse(version: version, code: .unsupportedRequest, data: 0xE4),
                                    context: context, prefixesThrow: false))
            samples.append(.message("ERROR ResponseNotReady \(version)",
                                    ErrorResponse.responseNotReady(version: version, rdExponent: 5, requestCode: .getMeasurements,
                                                                   token: 3, rdtm: 2),
                                    context: context, prefixesThrow: false))
        }
        let count = MeasurementsResponse(version: .v12, totalMeasurementCount: 6, blocks: [], nonce: nonce)
        samples.append(PDUSample(description: "MEASUREMENTS count", context: negotiated12, encoded: count.encoded(context: negotiated12),
                                 decodesEqual: { try MeasurementsResponse(decoding: $0, context: negotiated12, signed: false) == count }))
        samples += chunkSamples
        samples += endpointInfoAndLog
        return samples + provisioning + vendorDefined + events
    }

    /// CHUNK_SEND / CHUNK_SEND_ACK / CHUNK_GET / CHUNK_RESPONSE at 1.2 and 1.3 (16-bit ChunkSeqNo) and 1.4 (32-bit).
    static var chunkSamples: [PDUSample] {
        var samples: [PDUSample] = []
        for version in [SPDMVersion.v12, .v13, .v14] {
            let context = negotiated(version)
            let wide: UInt32 = version >= .v14 ? 0x0001_0002 : 0x0102
            samples.append(.message("CHUNK_SEND \(version) first", ChunkSendRequest(version: version, handle: 7, sequenceNumber: 0,
                                                                                     largeMessageSize: 300, chunk: bytes(26, 3)),
                                    context: context))
            samples.append(.message("CHUNK_SEND \(version) last", ChunkSendRequest(version: version, handle: 7, lastChunk: true,
                                                                                    sequenceNumber: wide, chunk: bytes(5, 9)),
                                    context: context))
            samples.append(.message("CHUNK_SEND_ACK \(version)", ChunkSendAckResponse(version: version, handle: 7, sequenceNumber: wide),
                                    context: context))
            samples.append(.message("CHUNK_SEND_ACK \(version) with response",
                                    ChunkSendAckResponse(version: version, handle: 7, sequenceNumber: 3,
                                                         responseToLargeRequest: [version.rawValue, 0x01, 0x00, 0x01] + bytes(48, 1)),
                                    context: context, prefixesThrow: false))
            samples.append(.message("CHUNK_SEND_ACK \(version) early error",
                                    ChunkSendAckResponse(version: version, handle: 2, earlyErrorDetected: true, sequenceNumber: 1,
                                                         responseToLargeRequest: [version.rawValue, 0x7F, 0x01, 0x00]),
                                    context: context, prefixesThrow: false))
            samples.append(.message("CHUNK_GET \(version)", ChunkGetRequest(version: version, handle: 0xFE, sequenceNumber: wide),
                                    context: context))
            samples.append(.message("CHUNK_RESPONSE \(version) first", ChunkResponse(version: version, handle: 0xFE, sequenceNumber: 0,
                                                                                      largeMessageSize: 4000, chunk: bytes(26, 4)),
                                    context: context))
            samples.append(.message("CHUNK_RESPONSE \(version) last", ChunkResponse(version: version, handle: 0xFE, lastChunk: true,
                                                                                     sequenceNumber: wide, chunk: []),
                                    context: context))
        }
        return samples
    }
}

