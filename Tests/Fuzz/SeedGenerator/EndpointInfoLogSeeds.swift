import SPDMFuzzSupport
import SPDMWire

/// GET_ENDPOINT_INFO and GET_MEASUREMENT_EXTENSION_LOG (1.3+) seeds: the requests in the clear after
/// CERTIFICATE and inside KEY_EXCHANGE sessions (FuzzResponder), the log through CHUNK_GET on a
/// chunking connection, the encapsulated GET_ENDPOINT_INFO after OOB_ENCAP_ENDPOINT_INFO (route 4),
/// and each PDU for FuzzWirePDU.
@MainActor
enum EndpointInfoLogSeeds {
    static let nonce = [UInt8](0..<32)
    static let identifiers = DeviceClassIdentifier(elements: [.init(registry: 0, subIdentifiers: [[0x12, 0x34, 0x56]])])

    static func requests(_ version: SPDMVersion) -> [[UInt8]] {
        let context = WireContext.unnegotiated(version)
        return [
            GetEndpointInfoRequest(version: version).encoded(context: context),
            GetEndpointInfoRequest(version: version, attributes: .signatureRequested, nonce: nonce).encoded(context: context),
            GetEndpointInfoRequest(version: version, slotID: 3, attributes: .signatureRequested, nonce: nonce).encoded(context: context),
            GetMeasurementExtensionLogRequest(version: version, offset: 0, length: 0xFFFF_FFFF).encoded(context: context),
            GetMeasurementExtensionLogRequest(version: version, offset: 16, length: 11).encoded(context: context),
            GetMeasurementExtensionLogRequest(version: version, offset: 9999, length: 4).encoded(context: context),
        ]
    }

    static func writeAll() {
        for version: SPDMVersion in [.v13, .v14] {
            let plain = requests(version).map { route(0, $0) }.joined()
            write("FuzzResponder", "endpoint-info-mel-afterCertificate-\(version)",
                            [ConnectionStates.index(of: .afterCertificate, version)] + plain)
            let sealed = requests(version).map { route(1, $0) }.joined()
            write("FuzzResponder", "endpoint-info-mel-keyExchangeSession-\(version)",
                            [ConnectionStates.index(of: .keyExchangeSession, version)] + sealed)
        }
        let v13 = SPDMVersion.v13
        let answer = EndpointInfoResponse(version: v13, nonce: [UInt8](repeating: 7, count: 32), endpointInfo: identifiers.encoded,
                                          signature: [UInt8](repeating: 9, count: 64)).encoded(context: .unnegotiated(v13))
        let flow = [SessionRequests.header(v13, .getEncapsulatedRequest),
                    DeliverEncapsulatedResponse(version: v13, requestID: 1, encapsulatedResponse: answer).encoded,
                    SessionRequests.header(v13, .getEncapsulatedRequest)]
        let mutual = ConnectionStates.catalog.firstIndex { $0.mutualAuth == .encapsulated && $0.version == v13 && $0.stage == .afterCertificate }
        if let mutual {
            write("FuzzResponder", "encapsulated-endpoint-info-1.3", [UInt8(mutual)] + route(4, []) + flow.map { route(0, $0) }.joined())
        }
        let chunking = ConnectionStates.catalog.firstIndex { $0.chunking && $0.version == v13 && $0.stage == .afterCertificate }
        if let chunking {
            let large = [GetMeasurementExtensionLogRequest(version: v13, offset: 0, length: 65_000).encoded(context: .unnegotiated(v13)),
                         ChunkGetRequest(version: v13, handle: 0, sequenceNumber: 0).encoded(context: .unnegotiated(v13)),
                         ChunkGetRequest(version: v13, handle: 0, sequenceNumber: 1).encoded(context: .unnegotiated(v13))]
            write("FuzzResponder", "mel-chunking-1.3", [UInt8(chunking)] + large.map { route(0, $0) }.joined())
        }
        let log = MeasurementExtensionLog(entries: [
            .init(melIndex: 1, measurementIndex: 4, valueType: .informational, isRawBitStream: true, value: Array("ROM".utf8)),
            .init(melIndex: 2, measurementIndex: 4, valueType: .mutableFirmware, isRawBitStream: false, value: []),
        ]).encoded
        let context = WireContext.unnegotiated(v13)
        write("FuzzWirePDU", "GetEndpointInfoRequest-1.3", pduSeed("GetEndpointInfoRequest", requests(v13)[0], version: v13))
        write("FuzzWirePDU", "GetEndpointInfoRequest-1.3-signed", pduSeed("GetEndpointInfoRequest", requests(v13)[2], version: v13))
        write("FuzzWirePDU", "EndpointInfoResponse-1.3",
                        pduSeed("EndpointInfoResponse", EndpointInfoResponse(version: v13, endpointInfo: identifiers.encoded).encoded(context: context),
                                version: v13))
        write("FuzzWirePDU", "EndpointInfoResponse-1.3-signed",
              pduSeed("EndpointInfoResponse", EndpointInfoResponse(version: v13, slotID: 1, nonce: nonce, endpointInfo: identifiers.encoded,
                                                                   signature: [UInt8](repeating: 9, count: 96)).encoded(context: context),
                      version: v13, flag: true))
        write("FuzzWirePDU", "DeviceClassIdentifier", pduSeed("DeviceClassIdentifier", identifiers.encoded, version: v13))
        write("FuzzWirePDU", "GetMeasurementExtensionLogRequest-1.3", pduSeed("GetMeasurementExtensionLogRequest", requests(v13)[4], version: v13))
        write("FuzzWirePDU", "MeasurementExtensionLogResponse-1.3",
                        pduSeed("MeasurementExtensionLogResponse",
                                MeasurementExtensionLogResponse(version: v13, remainderLength: 0, portion: log).encoded(context: context), version: v13))
        write("FuzzWirePDU", "MeasurementExtensionLog", pduSeed("MeasurementExtensionLog", log, version: v13))
    }
}

