import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire
import Testing

/// The requester against CERTIFICATE responses a hostile responder could send.
@Suite("Requester: hostile CERTIFICATE")
struct RequesterHostileCertificateTests {
    /// A requester that ran VCA and GET_DIGESTS against the real responder at 1.2, with
    /// GET_CERTIFICATE of slot 0 started (1024-byte portions).
    func requesterAwaitingCertificate() throws -> (RequesterConnection, [UInt8]) {
        var responder = ResponderConnection(device: Fixtures.device(), random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root], version: .v12),
                                            random: FixedRandom())
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        let request = try requester.start(.getCertificate(slot: 0))
        return (requester, request)
    }

    func certificate(portion: Int, remainder: UInt16) -> [UInt8] {
        CertificateResponse(version: .v12, slotID: 0, remainderLength: remainder, portion: [UInt8](repeating: 0x30, count: portion))
            .encoded(context: .unnegotiated(.v12))
    }

    /// Found writing FuzzRequester: a first portion of 1024 bytes with RemainderLength 0xFFFF
    /// announced a 66,559-byte chain; 64 consistent portions later the next GET_CERTIFICATE Offset
    /// (u16) trapped on 65,536.
    @Test("a chain announced over 65535 bytes is refused at once")
    func chainOverLengthLimit() throws {
        var (requester, request) = try requesterAwaitingCertificate()
        #expect(Array(request.prefix(8)) == [0x12, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04])
        #expect(throws: RequesterError.malformedResponse(request: .getCertificate,
                                                         reason: "PortionLength and RemainderLength make a 66559-byte chain, over 65535")) {
            try requester.receive(certificate(portion: 1024, remainder: 0xFFFF))
        }
    }

    @Test("a chain of exactly 65535 bytes is still retrieved in portions")
    func chainAtLengthLimit() throws {
        var (requester, _) = try requesterAwaitingCertificate()
        guard case .send(let next) = try requester.receive(certificate(portion: 1024, remainder: 0xFFFF - 1024)) else {
            Issue.record("expected the next GET_CERTIFICATE")
            return
        }
        #expect(Array(next.prefix(8)) == [0x12, 0x82, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04])
    }
}
