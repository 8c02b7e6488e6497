import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("NEGOTIATE_ALGORITHMS handler")
struct NegotiateAlgorithmsTests {
    @Test("ALGORITHMS selects the device's algorithms among those offered", arguments: SPDMVersion.all)
    func goodPath(_ version: SPDMVersion) throws {
        var harness = Harness.afterCapabilities(version: version)
        let response = harness.send(harness.negotiateAlgorithms())
        let algorithms = try AlgorithmsResponse(decoding: response, context: .unnegotiated(version))
        #expect(response.count == 36)
        #expect(algorithms.version == version)
        #expect(algorithms.baseHash == .sha384)
        #expect(algorithms.baseAsym == .ecdsaP384)
        #expect(algorithms.measurementHash == MeasurementHashAlgorithms(baseHash: .sha384))
        #expect(algorithms.measurementSpecification == .dmtf)
        #expect(harness.responder.state == .negotiated)
        #expect(harness.responder.negotiated?.asym == .ecdsaP384)
    }

    @Test("1.2: every AlgStructure sent is answered, in order")
    func structures() throws {
        var harness = Harness.afterCapabilities(version: .v12)
        let request = NegotiateAlgorithmsRequest(
            version: .v12, otherParams: .opaqueDataFormat1, baseAsym: .ecdsaP384, baseHash: .sha384,
            structures: [AlgorithmStructure(type: .dhe, supported: DHEGroups.secp384r1.rawValue),
                         AlgorithmStructure(type: .aead, supported: AEADSuites.aes256GCM.rawValue),
                         AlgorithmStructure(type: .requesterBaseAsym, supported: 0x0008),
                         AlgorithmStructure(type: .keySchedule, supported: 0x0001)])
        let response = harness.send(request)
        let algorithms = try AlgorithmsResponse(decoding: response, context: .unnegotiated(.v12))
        #expect(algorithms.structures.map(\.type) == [.dhe, .aead, .requesterBaseAsym, .keySchedule])
        // The device has no KEY_EX/PSK/MUT_AUTH: nothing is selected in them.
        #expect(algorithms.structures.allSatisfy { $0.supported == 0 })
        #expect(algorithms.otherParams == .opaqueDataFormat1)
        #expect(response.count == 36 + 16)
    }

    @Test("truncated -> InvalidRequest", arguments: [4, 6, 20, 31])
    func truncated(_ length: Int) {
        var harness = Harness.afterCapabilities(version: .v12)
        #expect(harness.send(Array(harness.negotiateAlgorithms().prefix(length))) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.responder.state == .afterCapabilities)
    }

    @Test("Length that disagrees with the fields -> InvalidRequest")
    func badLength() {
        var harness = Harness.afterCapabilities(version: .v11)
        var request = harness.negotiateAlgorithms()
        request[4] = 0x24
        #expect(harness.send(request) == [0x11, 0x7F, 0x01, 0x00])
        // A structure count that runs past the end.
        var structures = harness.negotiateAlgorithms()
        structures[2] = 1
        #expect(harness.send(structures) == [0x11, 0x7F, 0x01, 0x00])
    }

    @Test("1.2 AlgStructures out of order or repeated -> InvalidRequest")
    func badStructures() {
        for types in [[3, 2], [2, 2], [6]] as [[UInt8]] {
            var harness = Harness.afterCapabilities(version: .v12)
            let request = NegotiateAlgorithmsRequest(
                version: .v12, baseAsym: .ecdsaP384, baseHash: .sha384,
                structures: types.map { AlgorithmStructure(type: .init(rawValue: $0), supported: 1) })
            #expect(harness.send(request) == [0x12, 0x7F, 0x01, 0x00], "\(types)")
        }
    }

    @Test("no common hash or signature algorithm -> InvalidRequest")
    func noCommonAlgorithm() {
        var noHash = Harness.afterCapabilities()
        #expect(noHash.send(NegotiateAlgorithmsRequest(version: .v12, baseAsym: .ecdsaP384, baseHash: .sha256)) == [0x12, 0x7F, 0x01, 0x00])
        var noAsym = Harness.afterCapabilities()
        #expect(noAsym.send(NegotiateAlgorithmsRequest(version: .v12, baseAsym: .ecdsaP256, baseHash: .sha384)) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("out of order -> UnexpectedRequest")
    func wrongState() {
        var afterVersion = Harness.afterVersion()
        #expect(afterVersion.send(afterVersion.negotiateAlgorithms()) == [0x12, 0x7F, 0x04, 0x00])
        var fresh = Harness()
        #expect(fresh.send(fresh.negotiateAlgorithms()) == [0x12, 0x7F, 0x04, 0x00])
        var twice = Harness.negotiated()
        #expect(twice.send(twice.negotiateAlgorithms()) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than GET_CAPABILITIES fixed -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.afterCapabilities(version: .v12)
        let request = NegotiateAlgorithmsRequest(version: .v11, baseAsym: .ecdsaP384, baseHash: .sha384).encoded(context: .unnegotiated(.v11))
        #expect(harness.send(request) == [0x12, 0x7F, 0x41, 0x00])
        #expect(harness.responder.state == .afterCapabilities)
    }

    @Test("an unknown request code after ALGORITHMS -> UnsupportedRequest")
    func unknownCode() {
        var harness = Harness.negotiated(version: .v13)
        #expect(harness.send([0x13, 0x7A, 0x00, 0x00]) == [0x13, 0x7F, 0x07, 0x7A])
    }
}
