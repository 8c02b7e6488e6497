import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire
import Testing

@Suite("Multi-key connections (MULTI_KEY_CONN_RSP / _REQ)")
struct MultiKeyTests {
    static func negotiate(_ device: ResponderDevice, version: SPDMVersion = .v13, requesterFlags: CapabilityFlags = [.multiKeyNegotiated],
                          other: OtherParams) -> [UInt8] {
        var harness = Harness(device: device, version: version, log: CommitLog())
        harness.runVersion()
        _ = harness.send(GetCapabilitiesRequest(version: version, flags: requesterFlags, dataTransferSize: 4096, maxSPDMMessageSize: 4096)
            .encoded(context: .unnegotiated(version)))
        return harness.send(NegotiateAlgorithmsRequest(version: version, otherParams: other, baseAsym: .ecdsaP384, baseHash: .sha384)
            .encoded(context: .unnegotiated(version)))
    }

    @Test("MULTI_KEY_CONN asked of a device without MULTI_KEY_CAP, or not asked of a MULTI_KEY_ONLY one -> InvalidRequest")
    func negotiation() {
        let plain = ProvisioningFixtures.device(capabilities: [.cert, .chal])
        #expect(Self.negotiate(plain, other: [.opaqueDataFormat1, .multiKeyConnection]) == [0x13, 0x7F, 0x01, 0x00])
        #expect(Self.negotiate(plain, other: .opaqueDataFormat1)[1] == 0x63)
        let only = ProvisioningFixtures.device(capabilities: [.cert, .chal, .getKeyPairInfo, .multiKeyOnly])
        #expect(Self.negotiate(only, other: .opaqueDataFormat1) == [0x13, 0x7F, 0x01, 0x00])
        #expect(Self.negotiate(only, other: [.opaqueDataFormat1, .multiKeyConnection])[1] == 0x63)
        // 1.2 has no multi-key connections: the bit is ignored.
        #expect(Self.negotiate(only, version: .v12, requesterFlags: [], other: [.opaqueDataFormat1, .multiKeyConnection])[1] == 0x63)
    }

    @Test("ALGORITHMS OtherParamsSelection bit 4 (MULTI_KEY_CONN_REQ) only for a MULTI_KEY_ONLY requester; both bits -> InvalidRequest")
    func requesterSide() {
        let device = ProvisioningFixtures.device()
        #expect(Self.negotiate(device, requesterFlags: [.multiKeyOnly], other: .opaqueDataFormat1)[7] == 0x12)
        #expect(Self.negotiate(device, requesterFlags: [.multiKeyNegotiated], other: .opaqueDataFormat1)[7] == 0x02)
        #expect(Self.negotiate(device, requesterFlags: [.multiKeyOnly, .multiKeyNegotiated], other: .opaqueDataFormat1) == [0x13, 0x7F, 0x01, 0x00])
    }

    @Test("DIGESTS and CERTIFICATE carry KeyPairID, CertificateInfo and KeyUsageMask only on a multi-key connection")
    func fields() {
        var multi = Harness.provisioning()
        let digests = multi.send([0x13, 0x81, 0x00, 0x00])
        #expect(digests.count == 4 + 48 + 4 && Array(digests.suffix(4)) == [0x02, 0x01, 0x0F, 0x00])
        #expect(multi.send(GetCertificateRequest(version: .v13, slotID: 0, offset: 0, length: 16).encoded(context: .unnegotiated(.v13)))[3] == 0x01)
        var single = Harness.provisioning(multiKey: false)
        #expect(single.send([0x13, 0x81, 0x00, 0x00]).count == 4 + 48)
        #expect(single.send(GetCertificateRequest(version: .v13, slotID: 0, offset: 0, length: 16).encoded(context: .unnegotiated(.v13)))[3] == 0x00)
    }

    @Test("one key pair per slot by default: ids 1, 2 in slot order, every use")
    func defaults() {
        let device = Fixtures.device(slots: [TestChains.p384.slot(3), TestChains.p384.slot(0)])
        #expect(device.keyPairs.map(\.id) == [1, 2])
        #expect(device.servedSlots.map(\.keyPairID) == [1, 2])
        #expect(device.servedSlots.allSatisfy { $0.keyUsage == .spdm })
    }
}
