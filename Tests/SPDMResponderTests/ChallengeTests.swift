import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("CHALLENGE handler")
struct ChallengeTests {
    static func request(_ version: SPDMVersion = .v12, slot: UInt8 = 0, summary: MeasurementSummaryHashType = .none) -> [UInt8] {
        ChallengeRequest(version: version, slotID: slot, summaryHashType: summary, nonce: [UInt8](repeating: 0x11, count: 32),
                         requesterContext: [UInt8](repeating: 0x22, count: 8))
            .encoded(context: .unnegotiated(version))
    }

    @Test("CHALLENGE_AUTH: slot, chain hash, responder nonce, summary, context, signature over M1",
          arguments: SPDMVersion.all, [MeasurementSummaryHashType.none, .tcb, .all])
    func goodPath(_ version: SPDMVersion, _ summary: MeasurementSummaryHashType) throws {
        let device = Fixtures.device()
        var harness = Harness(device: device, version: version)
        var a = Harness.getVersion() + harness.runVersion()
        a += harness.getCapabilities() + harness.send(harness.getCapabilities())
        a += harness.negotiateAlgorithms() + harness.send(harness.negotiateAlgorithms())
        let request = Self.request(version, summary: summary)
        let response = harness.send(request)
        let auth = try ChallengeAuthResponse(decoding: response, context: harness.context, summaryHashPresent: summary != .none)
        let chain = device.slots[0].spdmChain(hash: .sha384)
        #expect(Array(response.prefix(4)) == [version.rawValue, 0x03, 0x00, 0x01])
        #expect(auth.certChainHash == Digest.hash(.sha384, chain))
        #expect(auth.nonce == [UInt8](repeating: 0xA5, count: 32))
        #expect(auth.measurementSummaryHash.count == (summary == .none ? 0 : 48))
        #expect(auth.requesterContext == (version >= .v13 ? [UInt8](repeating: 0x22, count: 8) : []))
        #expect(auth.signature.count == 96)
        // Without GET_DIGESTS/GET_CERTIFICATE, B is empty: M1 = A || CHALLENGE || CHALLENGE_AUTH minus signature.
        let m1 = a + request + Array(response.dropLast(96))
        #expect(SigningContext.verify(key: TestChains.p384.leaf.publicKey, algorithm: .classic(.ecdsaP384), hash: .sha384, version: version,
                                      context: SigningContext.challengeAuth, transcript: m1, signature: auth.signature))
        #expect(harness.responder.state == .authenticated)
    }

    @Test("truncated -> InvalidRequest", arguments: [SPDMVersion.v12, .v13])
    func truncated(_ version: SPDMVersion) {
        var harness = Harness.negotiated(version: version)
        let full = Self.request(version)
        for length in [4, 20, 35, full.count - 1] {
            #expect(harness.send(Array(full.prefix(length))) == [version.rawValue, 0x7F, 0x01, 0x00], "\(length) bytes")
        }
        #expect(harness.responder.state == .negotiated)
    }

    @Test("bad slot or summary type -> InvalidRequest")
    func badParameters() {
        var harness = Harness.negotiated()
        #expect(harness.send(Self.request(slot: 1)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(slot: 0xFF)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(summary: .init(rawValue: 0x02))) == [0x12, 0x7F, 0x01, 0x00])
        var noMeasurements = Harness.negotiated(device: Fixtures.device(capabilities: [.cert, .chal]))
        #expect(noMeasurements.send(Self.request(summary: .all)) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("before ALGORITHMS -> UnexpectedRequest")
    func wrongState() {
        var afterVersion = Harness.afterVersion()
        #expect(afterVersion.send(Self.request()) == [0x12, 0x7F, 0x04, 0x00])
        var afterCapabilities = Harness.afterCapabilities()
        #expect(afterCapabilities.send(Self.request()) == [0x12, 0x7F, 0x04, 0x00])
    }

    @Test("another version than the connection's -> VersionMismatch")
    func versionMismatch() {
        var harness = Harness.negotiated(version: .v11)
        #expect(harness.send(Self.request(.v12)) == [0x11, 0x7F, 0x41, 0x00])
    }

    @Test("a device without CHAL_CAP -> UnsupportedRequest")
    func unsupported() {
        var harness = Harness.negotiated(device: Fixtures.device(capabilities: [.cert, .measNoSignature]))
        #expect(harness.send(Self.request()) == [0x12, 0x7F, 0x07, 0x83])
    }
}
