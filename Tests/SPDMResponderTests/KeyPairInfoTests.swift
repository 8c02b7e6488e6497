import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_KEY_PAIR_INFO and SET_KEY_PAIR_INFO handlers")
struct KeyPairInfoTests {
    static let p384Identifier: [UInt8] = [0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]

    static func get(_ id: UInt8, _ version: SPDMVersion = .v13) -> [UInt8] { [version.rawValue, 0xFC, 0x00, 0x00, id] }

    static func set(_ operation: KeyPairOperation, _ id: UInt8, usage: KeyUsageMask = [], asym: KeyPairAsymAlgorithms = [],
                    mask: UInt8 = 0, pqc: UInt32 = 0, version: SPDMVersion = .v13) -> [UInt8] {
        SetKeyPairInfoRequest(version: version, operation: operation, keyPairID: id, desiredKeyUsage: usage, desiredAsymAlgorithm: asym,
                              desiredAssociatedSlotMask: mask, desiredPqcAsymAlgorithm: pqc).encoded(context: .unnegotiated(version))
    }

    static func info(_ response: [UInt8]) throws -> KeyPairInfoResponse {
        try KeyPairInfoResponse(decoding: response, context: .unnegotiated(SPDMVersion(rawValue: response[0])))
    }

    @Test("KEY_PAIR_INFO bytes of both key pairs")
    func getInfo() throws {
        var harness = Harness.provisioning()
        #expect(harness.send(Self.get(2)) == [0x13, 0x7C, 0x00, 0x00, 0x02, 0x02, 0x3F, 0x00, 0x0F, 0x00, 0x0F, 0x00,
                                             0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x12, 0x00, 0x01] + Self.p384Identifier)
        let spare = try Self.info(harness.send(Self.get(1)))
        #expect(spare.asymAlgorithmCapabilities == [.ecc384, .ecc256] && spare.associatedSlotMask == 0)
    }

    @Test("KeyPairID 0 or beyond TotalKeyPairs, a short request -> InvalidRequest; before 1.3 or without the capability -> UnsupportedRequest")
    func getErrors() {
        var harness = Harness.provisioning()
        #expect(harness.send(Self.get(0)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.get(3)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send([0x13, 0xFC, 0x00, 0x00]) == [0x13, 0x7F, 0x01, 0x00])
        var old = Harness.provisioning(version: .v12)
        #expect(old.send(Self.get(1, .v12)) == [0x12, 0x7F, 0x07, 0xFC])
        var noCap = Harness.provisioning(ProvisioningFixtures.device(capabilities: [.cert, .chal]), multiKey: false)
        #expect(noCap.send(Self.get(1)) == [0x13, 0x7F, 0x07, 0xFC])
    }

    @Test("without SET_KEY_PAIR_INFO_CAP Capabilities read 0")
    func readOnly() throws {
        var harness = Harness.provisioning(ProvisioningFixtures.device(capabilities: [.cert, .chal, .getKeyPairInfo, .multiKeyNegotiated]))
        #expect(try Self.info(harness.send(Self.get(2))).capabilities == [])
    }

    @Test("the reference requester's flow: Change key pair 1 (nothing but the association), then Erase it")
    func referenceFlow() throws {
        let log = CommitLog()
        var harness = Harness.provisioning(log: log)
        #expect(harness.send(Self.set(.change, 1)) == [0x13, 0x7D, 0x00, 0x00])
        #expect(harness.send(Self.set(.erase, 1)) == [0x13, 0x7D, 0x00, 0x00])
        #expect(log.commits.count == 2)
        let erased = try Self.info(harness.send(Self.get(1)))
        #expect(erased.currentKeyUsage == [] && erased.currentAsymAlgorithm == [] && erased.associatedSlotMask == 0 && erased.publicKeyInfo.isEmpty)
        #expect(erased.keyUsageCapabilities == .spdm && erased.asymAlgorithmCapabilities == [.ecc384, .ecc256])
        // Slot 0 (key pair 2) is untouched.
        #expect(try Self.info(harness.send(Self.get(2))).associatedSlotMask == 0x01)
    }

    @Test("Erase or Generate of a key pair a slot uses -> OperationFailed")
    func associated() {
        var harness = Harness.provisioning()
        #expect(harness.send(Self.set(.erase, 2)) == [0x13, 0x7F, 0x44, 0x00])
        #expect(harness.send(Self.set(.generate, 2, asym: .ecc384)) == [0x13, 0x7F, 0x44, 0x00])
    }

    @Test("requests beyond the key pair's capabilities -> InvalidRequest; a PQC algorithm -> UnsupportedRequest")
    func capabilityChecks() {
        var limited = Harness.provisioning(ProvisioningFixtures.device(keyPairCapabilities: []))
        let invalid: [UInt8] = [0x13, 0x7F, 0x01, 0x00]
        #expect(limited.send(Self.set(.generate, 1)) == invalid, "no GEN_KEY")
        #expect(limited.send(Self.set(.erase, 1)) == invalid, "not ERASABLE")
        #expect(limited.send(Self.set(.change, 1, mask: 0x02)) == invalid, "no CERT_ASSOC")
        #expect(limited.send(Self.set(.change, 1, usage: .challenge)) == invalid, "no KEY_USAGE")
        #expect(limited.send(Self.set(.change, 1, asym: .ecc256)) == invalid, "no ASYM_ALGO")
        #expect(limited.send(Self.set(.change, 1)) == [0x13, 0x7D, 0x00, 0x00], "a Change that changes nothing")
        var harness = Harness.provisioning()
        #expect(harness.send(Self.set(.change, 1, usage: .vendorKey)) == invalid, "usage beyond KeyUsageCapabilities")
        #expect(harness.send(Self.set(.change, 1, asym: [.ecc256, .ecc384])) == invalid, "two algorithms")
        #expect(harness.send(Self.set(.change, 1, asym: .rsa3072)) == invalid, "beyond AsymAlgoCapabilities")
        #expect(harness.send(Self.set(.change, 1, mask: 0x80)) == invalid, "a slot the device does not have")
        #expect(harness.send(Self.set(KeyPairOperation(rawValue: 3), 1)) == invalid, "unknown operation")
        #expect(harness.send([0x13, 0xFD, 0x00, 0x00, 0x01, 0x00]) == invalid, "Change without its fields")
        #expect(harness.send(Self.set(.change, 0)) == invalid)
        var unshared = Harness.provisioning(ProvisioningFixtures.device(keyPairCapabilities: KeyPairCapabilities.defined.subtracting(.shareable)))
        #expect(unshared.send(Self.set(.change, 1, mask: 0x03)) == invalid, "two slots without SHAREABLE")
        var v14 = Harness.provisioning(version: .v14)
        #expect(v14.send(Self.set(.change, 1, pqc: 0x01, version: .v14)) == [0x14, 0x7F, 0x07, 0xFD])
    }

    @Test("Change of key usage: DIGESTS shows it and CHALLENGE on the slot is refused on a multi-key connection")
    func keyUsage() throws {
        var harness = Harness.provisioning()
        // DesiredAssocCertSlotMask always applies (libspdm): keep slot 0 by naming it.
        #expect(harness.send(Self.set(.change, 2, usage: .keyExchange, mask: 0x01)) == [0x13, 0x7D, 0x00, 0x00])
        let digests = harness.send([0x13, 0x81, 0x00, 0x00])
        #expect(Array(digests.suffix(4)) == [0x02, 0x01, 0x01, 0x00])
        let challenge = ChallengeRequest(version: .v13, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 7, count: 32),
                                         requesterContext: [UInt8](repeating: 1, count: 8))
        #expect(harness.send(challenge) == [0x13, 0x7F, 0x01, 0x00])
        // Without a multi-key connection key usage is not checked.
        var single = Harness.provisioning(multiKey: false)
        single.responder.updateProvisioned(harness.device.provisioned)
        #expect(single.send(challenge)[1] == 0x03)
    }

    @Test("Change of association moves slot 0 to key pair 1; Generate gives key pair 1 a new key")
    func associationAndGenerate() throws {
        let log = CommitLog()
        var harness = Harness.provisioning(log: log)
        #expect(harness.send(Self.set(.change, 1, mask: 0x01)) == [0x13, 0x7D, 0x00, 0x00])
        #expect(try Self.info(harness.send(Self.get(2))).associatedSlotMask == 0)
        #expect(harness.device.servedSlot(0)?.keyPairID == 1)
        #expect(harness.send(Self.set(.change, 1, mask: 0x00)) == [0x13, 0x7D, 0x00, 0x00])
        #expect(harness.send(Self.set(.generate, 1, usage: .challenge, asym: .ecc256)) == [0x13, 0x7D, 0x00, 0x00])
        let generated = try Self.info(harness.send(Self.get(1)))
        #expect(generated.currentAsymAlgorithm == .ecc256 && generated.currentKeyUsage == .challenge)
        let key = try PrivateKey(der: try #require(log.last?.keyPairs[1]?.generatedKey))
        #expect(key.keyType == .ec(.p256))
        #expect(generated.publicKeyInfo == key.publicKey.algorithmIdentifierDER)
    }

    @Test("1.4 with SET_KEY_PAIR_RESET_CAP: ResetRequired, the change waits in pendingReset")
    func resetCap() throws {
        let log = CommitLog()
        let device = ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.setKeyPairReset))
        var harness = Harness.provisioning(device, version: .v14, log: log)
        #expect(harness.send(Self.set(.erase, 1, version: .v14)) == [0x14, 0x7F, 0x0C, 0x00])
        let state = try #require(log.last)
        #expect(state.pendingReset.keyPairs[1]?.erased == true && state.keyPairs.isEmpty)
        #expect(try Self.info(harness.send(Self.get(1, .v14))).currentAsymAlgorithm == .ecc384, "unchanged until the reset")
    }
}
