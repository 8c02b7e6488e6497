import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_MEASUREMENTS handler")
struct GetMeasurementsTests {
    static let context8: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]

    static func request(_ version: SPDMVersion = .v12, operation: UInt8, signed: Bool = false, slot: UInt8 = 0,
                        raw: Bool = false) -> [UInt8] {
        var attributes: GetMeasurementsRequest.Attributes = signed ? .signatureRequested : []
        if raw { attributes.insert(.rawBitStreamRequested) }
        return GetMeasurementsRequest(version: version, attributes: attributes, operation: operation,
                                      nonce: [UInt8](repeating: 0x33, count: 32), slotID: slot, requesterContext: context8)
            .encoded(context: .unnegotiated(version))
    }

    @Test("operation 0 reports the count", arguments: SPDMVersion.all)
    func count(_ version: SPDMVersion) throws {
        var harness = Harness.negotiated(version: version)
        let response = harness.send(Self.request(version, operation: 0))
        let measurements = try MeasurementsResponse(decoding: response, context: harness.context, signed: false)
        #expect(Array(response.prefix(8)) == [version.rawValue, 0x60, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(measurements.totalMeasurementCount == 4)
        #expect(measurements.blocks.isEmpty)
        #expect(measurements.requesterContext == (version >= .v13 ? Self.context8 : []))
    }

    @Test("one index: digest or raw as the table says; raw on request from 1.2")
    func oneIndex() throws {
        var harness = Harness.negotiated(version: .v12)
        let digest = try MeasurementsResponse(decoding: harness.send(Self.request(operation: 2)), context: harness.context, signed: false)
        #expect(digest.blocks == [MeasurementBlock(index: 2, valueType: .mutableFirmware, isRawBitStream: false,
                                                   value: Digest.hash(.sha384, Array("firmware 2.1".utf8)))])
        let version = try MeasurementsResponse(decoding: harness.send(Self.request(operation: 3)), context: harness.context, signed: false)
        #expect(version.blocks == [MeasurementBlock(index: 3, valueType: .version, isRawBitStream: true, value: Array("2.1.0".utf8))])
        let raw = try MeasurementsResponse(decoding: harness.send(Self.request(operation: 2, raw: true)), context: harness.context, signed: false)
        #expect(raw.blocks.first?.value == Array("firmware 2.1".utf8))
    }

    @Test("all, signed over L1", arguments: SPDMVersion.all)
    func allSigned(_ version: SPDMVersion) throws {
        var harness = Harness(version: version)
        var a = Harness.getVersion() + harness.runVersion()
        a += harness.getCapabilities() + harness.send(harness.getCapabilities())
        a += harness.negotiateAlgorithms() + harness.send(harness.negotiateAlgorithms())
        let request = Self.request(version, operation: 0xFF, signed: true)
        let response = harness.send(request)
        let measurements = try MeasurementsResponse(decoding: response, context: harness.context, signed: true)
        #expect(measurements.blocks.map(\.index) == [1, 2, 3, 4])
        #expect(measurements.signature.count == 96)
        #expect(measurements.nonce == [UInt8](repeating: 0xA5, count: 32))
        let l1 = (version >= .v12 ? a : []) + request + Array(response.dropLast(96))
        #expect(SigningContext.verify(key: TestChains.p384.leaf.publicKey, algorithm: .classic(.ecdsaP384), hash: .sha384, version: version,
                                      context: SigningContext.measurements, transcript: l1, signature: measurements.signature))
    }

    @Test("truncated -> InvalidRequest", arguments: [SPDMVersion.v11, .v12, .v13])
    func truncated(_ version: SPDMVersion) {
        var harness = Harness.negotiated(version: version)
        let signed = Self.request(version, operation: 0xFF, signed: true)
        for length in [4, 20, signed.count - 1] {
            #expect(harness.send(Array(signed.prefix(length))) == [version.rawValue, 0x7F, 0x01, 0x00], "\(length) bytes")
        }
        #expect(harness.send([version.rawValue, 0xE0, 0x00]) == [version.rawValue, 0x7F, 0x01, 0x00])
        if version >= .v13 {
            // 1.3 carries a RequesterContext even unsigned.
            #expect(harness.send([0x13, 0xE0, 0x00, 0x01]) == [0x13, 0x7F, 0x01, 0x00])
        }
    }

    @Test("unknown index, empty slot, or a signature the device cannot give -> InvalidRequest")
    func badParameters() {
        var harness = Harness.negotiated()
        #expect(harness.send(Self.request(operation: 9)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(operation: 1, signed: true, slot: 2)) == [0x12, 0x7F, 0x01, 0x00])
        var unsigned = Harness.negotiated(device: Fixtures.device(capabilities: [.cert, .chal, .measNoSignature]))
        #expect(unsigned.send(Self.request(operation: 1, signed: true)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(unsigned.send(Self.request(operation: 1))[1] == ResponseCode.measurements.rawValue)
    }

    @Test("before ALGORITHMS -> UnexpectedRequest")
    func wrongState() {
        var fresh = Harness()
        #expect(fresh.send(Self.request(operation: 0)) == [0x12, 0x7F, 0x04, 0x00])
        var afterCapabilities = Harness.afterCapabilities()
        #expect(afterCapabilities.send(Self.request(operation: 0)) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.negotiated(version: .v12)
        #expect(harness.send(Self.request(.v13, operation: 0)) == [0x12, 0x7F, 0x41, 0x00])
    }

    @Test("a device without MEAS_CAP -> UnsupportedRequest")
    func unsupported() {
        var harness = Harness.negotiated(device: Fixtures.device(capabilities: [.cert, .chal]))
        #expect(harness.send(Self.request(operation: 0)) == [0x12, 0x7F, 0x07, 0xE0])
    }
}
