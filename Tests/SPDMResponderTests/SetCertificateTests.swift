import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("SET_CERTIFICATE handler")
struct SetCertificateTests {
    static func request(_ version: SPDMVersion, slot: UInt8 = 0, model: CertificateModel = .none, erase: Bool = false,
                        keyPairID: UInt8 = 0, chain: [UInt8]) -> [UInt8] {
        SetCertificateRequest(version: version, slotID: slot, certificateModel: model, erase: erase, keyPairID: keyPairID,
                              certificateChain: chain).encoded(context: .unnegotiated(version))
    }

    static func digestsRequest(_ version: SPDMVersion) -> [UInt8] { [version.rawValue, 0x81, 0x00, 0x00] }

    @Test("1.2: a chain for a key the device does not hold is acknowledged, committed and served by DIGESTS and GET_CERTIFICATE at once")
    func installForeignChain() throws {
        let log = CommitLog()
        var harness = Harness.provisioning(version: .v12, log: log)
        let chain = TestChains.p256
        #expect(harness.send(Self.request(.v12, chain: ChainBytes.spdm(chain))) == [0x12, 0x6E, 0x00, 0x00])
        let committed = try #require(log.last?.installedChains[0])
        #expect(committed.certificatesDER == chain.certificatesDER && committed.rootCertificateDER == chain.root.der)
        #expect(committed.keyPairID == 2, "the slot keeps its key pair")
        let digests = harness.send(Self.digestsRequest(.v12))
        #expect(Array(digests.suffix(48)) == Digest.hash(.sha384, ChainBytes.spdm(chain)))
        let certificate = harness.send(GetCertificateRequest(version: .v12, slotID: 0, offset: 0, length: 0xFFFF)
            .encoded(context: .unnegotiated(.v12)))
        #expect(certificate[1] == 0x02)
        // Another connection of the device serves it once the daemon hands it over.
        var other = Harness.provisioning(version: .v12)
        other.responder.updateProvisioned(try #require(log.last))
        #expect(other.send(Self.digestsRequest(.v12)) == digests)
    }

    @Test("1.3 multi-key: the slot joins the key pair whose key the leaf certifies; DIGESTS says so")
    func installForKeyPair() throws {
        let log = CommitLog()
        var harness = Harness.provisioning(log: log)
        let chain = ChainBytes.chain(for: ProvisioningFixtures.sparePair, name: "for key pair 1")
        // The request names key pair 2, the leaf certifies key pair 1's key: the certificate decides.
        #expect(harness.send(Self.request(.v13, model: .deviceCert, keyPairID: 2, chain: ChainBytes.spdm(chain))) == [0x13, 0x6E, 0x00, 0x00])
        let state = try #require(log.last)
        #expect(state.installedChains[0]?.keyPairID == 1)
        #expect(state.keyPairs[1]?.associatedSlotMask == 0x01 && state.keyPairs[2]?.associatedSlotMask == 0x00)
        let digests = harness.send(Self.digestsRequest(.v13))
        // Param1 SupportedSlotMask 0x03, Param2 0x01, digest, KeyPairID 1, CertModel 1, KeyUsageMask 0x000F.
        #expect(Array(digests.prefix(4)) == [0x13, 0x01, 0x03, 0x01])
        #expect(Array(digests.suffix(4)) == [0x01, 0x01, 0x0F, 0x00])
        // CHALLENGE on slot 0 now signs with key pair 1's key: the installed leaf verifies it.
        let challenge = ChallengeRequest(version: .v13, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32),
                                         requesterContext: [UInt8](repeating: 1, count: 8))
        #expect(harness.send(challenge)[1] == 0x03)
    }

    @Test("slot 1 only inside a session, a slot beyond 7 or one the device lacks -> errors")
    func slots() {
        var harness = Harness.provisioning(version: .v12)
        let chain = ChainBytes.spdm(TestChains.p256)
        #expect(harness.send(Self.request(.v12, slot: 1, chain: chain)) == [0x12, 0x7F, 0x04, 0x00])
        #expect(harness.send(Self.request(.v12, slot: 3, chain: chain)) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x12, 0xEE, 0x09, 0x00] + chain) == [0x12, 0x7F, 0x01, 0x00])
    }

    @Test("malformed chains: InvalidRequest for the header, Unspecified for certificates that do not parse or verify")
    func badChains() throws {
        var harness = Harness.provisioning(version: .v12)
        let good = ChainBytes.spdm(TestChains.p256)
        let invalid: [UInt8] = [0x12, 0x7F, 0x01, 0x00], unspecified: [UInt8] = [0x12, 0x7F, 0x05, 0x00]
        #expect(harness.send(Self.request(.v12, chain: Array(good.prefix(40)))) == invalid, "shorter than header + RootHash")
        var long = good
        long[0] = 0xFF; long[1] = 0xFF
        #expect(harness.send(Self.request(.v12, chain: long)) == invalid, "Length beyond the message")
        var short = good
        short[0] = 10; short[1] = 0
        #expect(harness.send(Self.request(.v12, chain: short)) == invalid, "Length below the header")
        var rootHash = good
        rootHash[4] ^= 1
        #expect(harness.send(Self.request(.v12, chain: rootHash)) == invalid, "RootHash of another certificate")
        let garbage = CertificateChainFormat.build(rootHash: [UInt8](repeating: 0, count: 48), certificatesDER: [0x30, 0x03, 0x01, 0x02, 0x03])
        #expect(harness.send(Self.request(.v12, chain: garbage)) == unspecified)
        let noRoot = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, TestChains.p256.intermediate.der),
                                                  certificatesDER: TestChains.p256.intermediate.der + TestChains.p256.leaf.der)
        #expect(harness.send(Self.request(.v12, chain: noRoot)) == unspecified)
        let foreign = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, TestChains.p256.root.der),
                                                   certificatesDER: TestChains.p256.root.der + TestChains.p384.intermediate.der + TestChains.p384.leaf.der)
        #expect(harness.send(Self.request(.v12, chain: foreign)) == unspecified, "does not verify")
        let caLeaf = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, TestChains.p256.root.der),
                                                  certificatesDER: TestChains.p256.root.der + TestChains.p256.intermediate.der)
        #expect(harness.send(Self.request(.v12, chain: caLeaf)) == unspecified, "a DeviceCert chain ending with a CA")
        // Trailing bytes after Length are not part of the chain.
        #expect(harness.send(Self.request(.v12, chain: good + [0, 0]))[1] == 0x6E)
    }

    @Test("1.3 KeyPairID and SetCertModel rules")
    func multiKeyRules() {
        let chain = ChainBytes.spdm(TestChains.p256)
        var single = Harness.provisioning(multiKey: false)
        #expect(single.send(Self.request(.v13, keyPairID: 1, chain: chain)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(single.send(Self.request(.v13, model: .deviceCert, chain: chain)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(single.send(Self.request(.v13, chain: chain))[1] == 0x6E)
        var multi = Harness.provisioning()
        for request in [Self.request(.v13, model: .deviceCert, keyPairID: 0, chain: chain),
                        Self.request(.v13, model: .none, keyPairID: 1, chain: chain),
                        Self.request(.v13, model: CertificateModel(rawValue: 5), keyPairID: 1, chain: chain),
                        Self.request(.v13, model: .genericCert, keyPairID: 1, chain: chain),
                        Self.request(.v13, model: .deviceCert, keyPairID: 3, chain: chain)] {
            #expect(multi.send(request) == [0x13, 0x7F, 0x01, 0x00])
        }
    }

    @Test("1.3 Erase: the slot serves nothing; Erase with a model or a chain -> InvalidRequest")
    func erase() throws {
        let log = CommitLog()
        var harness = Harness.provisioning(multiKey: false, log: log)
        #expect(harness.send([0x13, 0xEE, 0x80 | 0x10, 0x00]) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x13, 0xEE, 0x80, 0x00, 0x01]) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(.v13, erase: true, chain: [])) == [0x13, 0x6E, 0x00, 0x00])
        #expect(log.last?.erasedSlots == [0])
        #expect(harness.send(Self.digestsRequest(.v13)) == [0x13, 0x7F, 0x05, 0x00], "no slot holds a chain")
        // Installing again brings the slot back.
        #expect(harness.send(Self.request(.v13, chain: ChainBytes.spdm(TestChains.p384)))[1] == 0x6E)
        #expect(harness.send(Self.digestsRequest(.v13))[3] == 0x01)
        #expect(log.last?.erasedSlots.isEmpty == true)
    }

    @Test("CERT_INSTALL_RESET: ResetRequired, the chain waits in pendingReset, DIGESTS answers ResetRequired until the reset")
    func installReset() throws {
        let log = CommitLog()
        let device = ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.certInstallReset))
        var harness = Harness.provisioning(device, version: .v12, log: log)
        #expect(harness.send(Self.request(.v12, chain: ChainBytes.spdm(TestChains.p256))) == [0x12, 0x7F, 0x0C, 0x00])
        let state = try #require(log.last)
        #expect(state.pendingReset.installedChains[0]?.certificatesDER == TestChains.p256.certificatesDER)
        #expect(state.installedChains.isEmpty)
        #expect(harness.send(Self.digestsRequest(.v12)) == [0x12, 0x7F, 0x0C, 0x00])
    }

    @Test("gate: 1.1 -> UnsupportedRequest, no SET_CERT_CAP -> UnsupportedRequest")
    func gate() {
        var old = Harness.provisioning(version: .v11, multiKey: false)
        #expect(old.send(Self.request(.v11, chain: [])) == [0x11, 0x7F, 0x07, 0xEE])
        var noCap = Harness.provisioning(ProvisioningFixtures.device(capabilities: [.cert, .chal]), version: .v12)
        #expect(noCap.send(Self.request(.v12, chain: [])) == [0x12, 0x7F, 0x07, 0xEE])
    }

    @Test("inside a session slot 1 is accepted; GET_CSR and the key pair requests are answered there too")
    func inSession() throws {
        var device = ProvisioningFixtures.device(capabilities: SessionPair.responderCapabilities.union(ProvisioningFixtures.capabilities),
                                                 versions: [.v13])
        device.dhePreference = [.secp384r1]
        device.aeadPreference = [.aes256GCM]
        let pair = SessionPair(version: .v13, device: device)
        try pair.connect()
        var session = try pair.keyExchange()
        func ask(_ request: [UInt8]) throws -> [UInt8] {
            guard case .secured(let reply) = try pair.deliver(try session.seal(request)) else { throw RequesterErrorForTests.noReply }
            return try session.open(reply)
        }
        #expect(try ask(Self.request(.v13, slot: 1, chain: ChainBytes.spdm(TestChains.p256))) == [0x13, 0x6E, 0x01, 0x00])
        #expect(try ask(GetCSRTests.request(.v13))[1] == 0x6D)
        #expect(try ask([0x13, 0xFC, 0x00, 0x00, 0x01])[1] == 0x7C)
        #expect(try ask([0x13, 0xFD, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]) == [0x13, 0x7D, 0x00, 0x00])
        #expect(pair.responder.device.servedSlotMask == 0x03)
    }
}

enum RequesterErrorForTests: Error { case noReply }
