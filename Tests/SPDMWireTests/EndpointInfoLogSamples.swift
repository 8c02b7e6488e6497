import Testing
@testable import SPDMWire

/// Samples of GET_ENDPOINT_INFO / ENDPOINT_INFO and GET_MEASUREMENT_EXTENSION_LOG /
/// MEASUREMENT_EXTENSION_LOG (SPDM 1.3+).
extension Samples {
    static let identifiers = DeviceClassIdentifier(elements: [
        .init(registry: 3, vendorID: [0xB4, 0x1A], subIdentifiers: [[0x00, 0x01], Array("gpu".utf8)]),
        .init(registry: 0, subIdentifiers: [[0x12, 0x34, 0x56]]),
    ])

    static var endpointInfoAndLog: [PDUSample] {
        var samples: [PDUSample] = []
        for version in [SPDMVersion.v13, .v14] {
            let context = negotiated(version)
            samples.append(.message("GET_ENDPOINT_INFO \(version)", GetEndpointInfoRequest(version: version), context: context))
            samples.append(.message("GET_ENDPOINT_INFO \(version) signed",
                                    GetEndpointInfoRequest(version: version, slotID: 2, attributes: .signatureRequested, nonce: nonce),
                                    context: context))
            for signed in [false, true] {
                let response = EndpointInfoResponse(version: version, slotID: signed ? 2 : 0, nonce: signed ? nonce : [],
                                                    endpointInfo: identifiers.encoded, signature: signed ? bytes(96, 5) : [])
                samples.append(PDUSample(description: "ENDPOINT_INFO \(version)\(signed ? " signed" : "")", context: context,
                                         encoded: response.encoded(context: context),
                                         decodesEqual: { try EndpointInfoResponse(decoding: $0, context: context, signed: signed) == response }))
            }
            samples.append(.message("GET_MEASUREMENT_EXTENSION_LOG \(version)",
                                    GetMeasurementExtensionLogRequest(version: version, offset: 0x10, length: 0x0102_0304), context: context))
            samples.append(.message("MEASUREMENT_EXTENSION_LOG \(version)",
                                    MeasurementExtensionLogResponse(version: version, remainderLength: 77, portion: bytes(40, 8)),
                                    context: context))
        }
        return samples
    }
}

@Suite("Endpoint info and measurement extension log layouts")
struct EndpointInfoLogLayoutTests {
    @Test("GET_ENDPOINT_INFO: SubCode, SlotID, attributes and nonce at their offsets")
    func getEndpointInfoLayout() {
        let bytes = GetEndpointInfoRequest(version: .v13, slotID: 3, attributes: .signatureRequested, nonce: Samples.nonce)
            .encoded(context: .unnegotiated(.v13))
        #expect(bytes.count == 40)
        #expect(Array(bytes.prefix(8)) == [0x13, 0x87, 0x01, 0x03, 0x01, 0x00, 0x00, 0x00])
        #expect(Array(bytes.suffix(32)) == Samples.nonce)
        #expect(GetEndpointInfoRequest(version: .v13).encoded(context: .unnegotiated(.v13)) == [0x13, 0x87, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00])
    }

    @Test("ENDPOINT_INFO: an EPInfoLength past the message does not decode")
    func endpointInfoLength() {
        var bytes = EndpointInfoResponse(version: .v13, endpointInfo: [1, 2, 3]).encoded(context: .unnegotiated(.v13))
        #expect(bytes == [0x13, 0x07, 0x00, 0x00, 0, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3])
        bytes[11] = 0xFF
        #expect(throws: WireError.self) { try EndpointInfoResponse(decoding: bytes, context: .unnegotiated(.v13), signed: false) }
    }

    @Test("device class identifiers: the libspdm sample's bytes, round trip, a bad IdElemLength refused")
    func deviceClassIdentifier() throws {
        // One DMTF identifier, no vendor ID, one 3-byte sub identifier (libspdm's sample endpoint info).
        let sample: [UInt8] = [0x01, 0, 0, 0, 0x07, 0x00, 0x00, 0x01, 0x03, 0x12, 0x34, 0x56]
        let decoded = try DeviceClassIdentifier(decoding: sample)
        #expect(decoded == DeviceClassIdentifier(elements: [.init(registry: 0, subIdentifiers: [[0x12, 0x34, 0x56]])]))
        #expect(decoded.encoded == sample)
        #expect(try DeviceClassIdentifier(decoding: Samples.identifiers.encoded) == Samples.identifiers)
        var bad = sample
        bad[4] = 0x06
        #expect(throws: WireError.self) { try DeviceClassIdentifier(decoding: bad) }
    }

    @Test("measurement extension log: header, 11-byte entry headers, round trip, inconsistent counts refused")
    func logFormat() throws {
        let log = MeasurementExtensionLog(entries: [
            .init(melIndex: 1, measurementIndex: 0xEF, valueType: .informational, isRawBitStream: true, value: Array("ROM".utf8)),
            .init(melIndex: 2, measurementIndex: 0xEF, valueType: .version, isRawBitStream: true, value: [0x0A, 0x03, 0x00, 0x01]),
        ])
        let bytes = log.encoded
        #expect(bytes.count == 16 + 11 + 3 + 11 + 4)
        #expect(Array(bytes.prefix(16)) == [2, 0, 0, 0, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16..<30]) == [1, 0, 0, 0, 0xEF, 0, 0, 0, 0x89, 3, 0] + Array("ROM".utf8))
        #expect(try MeasurementExtensionLog(decoding: bytes) == log)
        var wrongCount = bytes
        wrongCount[0] = 3
        #expect(throws: WireError.self) { try MeasurementExtensionLog(decoding: wrongCount) }
        #expect(throws: WireError.self) { try MeasurementExtensionLog(decoding: Array(bytes.dropLast())) }
        #expect(try MeasurementExtensionLog(decoding: MeasurementExtensionLog(entries: []).encoded).entries.isEmpty)
    }
}
