import SPDMCore
import SPDMCrypto
import SPDMResponder
import SPDMWire
import Testing

@Suite("GET_CSR handler")
struct GetCSRTests {
    static func request(_ version: SPDMVersion, keyPairID: UInt8 = 0, model: CertificateModel = .none, tag: UInt8 = 0,
                        overwrite: Bool = false, requesterInfo: [UInt8] = [], opaque: [UInt8] = []) -> [UInt8] {
        GetCSRRequest(version: version, keyPairID: keyPairID,
                      attributes: .init(certificateModel: model, trackingTag: tag, overwrite: overwrite),
                      requesterInfo: requesterInfo, opaqueData: opaque).encoded(context: .unnegotiated(version))
    }

    static func csr(_ response: [UInt8]) throws -> ParsedCertificateSigningRequest {
        let message = try CSRResponse(decoding: response, context: .unnegotiated(.v13))
        return try ParsedCertificateSigningRequest(der: message.csr)
    }

    @Test("1.2: a CSR for the key that signs for the negotiated algorithm (slot 0's key pair)")
    func version12() throws {
        var harness = Harness.provisioning(version: .v12)
        let response = harness.send(Self.request(.v12))
        #expect(Array(response.prefix(4)) == [0x12, 0x6D, 0x00, 0x00])
        let parsed = try Self.csr(response)
        #expect(parsed.signatureValid)
        #expect(parsed.subject == "CN=prov key pair 2")
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == TestChains.p384.leafKey.publicKey.subjectPublicKeyInfoDER)
        #expect(parsed.requestsCA == false)
    }

    @Test("1.3 multi-key: the request's key pair and model; RequesterInfo's subject")
    func multiKey() throws {
        var harness = Harness.provisioning()
        let info = try CertificateSigningRequest.requesterInfo(subject: "CN=lab device,O=Fleet", publicKey: ProvisioningFixtures.sparePair.publicKey)
        let response = harness.send(Self.request(.v13, keyPairID: 1, model: .aliasCert, requesterInfo: info))
        #expect(response[1] == 0x6D)
        let parsed = try Self.csr(response)
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == ProvisioningFixtures.sparePair.publicKey.subjectPublicKeyInfoDER)
        #expect(parsed.subject == "O=Fleet,CN=lab device")
        #expect(parsed.requestsCA == true)
    }

    @Test("1.3 multi-key: KeyPairID 0, CertModel 0 or above 3, an unknown key pair -> InvalidRequest")
    func multiKeyErrors() {
        var harness = Harness.provisioning()
        for request in [Self.request(.v13, keyPairID: 0, model: .deviceCert), Self.request(.v13, keyPairID: 1, model: .none),
                        Self.request(.v13, keyPairID: 1, model: CertificateModel(rawValue: 4)),
                        Self.request(.v13, keyPairID: 3, model: .deviceCert)] {
            #expect(harness.send(request) == [0x13, 0x7F, 0x01, 0x00])
        }
    }

    @Test("1.3 without a multi-key connection: KeyPairID and CertModel must be 0")
    func singleKeyConnection() throws {
        var harness = Harness.provisioning(multiKey: false)
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(.v13, model: .deviceCert)) == [0x13, 0x7F, 0x01, 0x00])
        #expect(try Self.csr(harness.send(Self.request(.v13))).signatureValid)
    }

    @Test("malformed RequesterInfo, opaque data without a format, over 1024 bytes or not in the general format -> InvalidRequest")
    func badFields() {
        var harness = Harness.provisioning()
        let invalid: [UInt8] = [0x13, 0x7F, 0x01, 0x00]
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, requesterInfo: [0x30, 0x03, 0x02, 0x01, 0x01])) == invalid)
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, opaque: [UInt8](repeating: 0, count: 1028))) == invalid)
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, opaque: [1, 0, 0])) == invalid)
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, opaque: [0, 0, 0, 0])) == invalid)
        // One DMTF element of 2 bytes, padded: accepted.
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, opaque: [1, 0, 0, 0, 0, 0, 2, 0, 0xAA, 0xBB, 0, 0]))[1] == 0x6D)
        // Lengths that run past the message.
        #expect(harness.send([0x13, 0xED, 0x01, 0x01, 0x10, 0x00, 0x00, 0x00, 0x30]) == invalid)
        #expect(harness.send([0x13, 0xED, 0x01, 0x01, 0x00, 0x00]) == invalid)
    }

    @Test("opaque data with no opaque data format negotiated -> InvalidRequest")
    func opaqueWithoutFormat() {
        var harness = Harness(device: ProvisioningFixtures.device(), version: .v12, log: CommitLog())
        harness.runNegotiate()  // the plain harness offers no OtherParams
        #expect(harness.send(Self.request(.v12, opaque: [1, 0, 0, 0, 0, 0, 2, 0, 0xAA, 0xBB, 0, 0])) == [0x12, 0x7F, 0x01, 0x00])
        #expect(harness.send(Self.request(.v12))[1] == 0x6D)
    }

    @Test("gate: 1.1 -> UnsupportedRequest, no CSR_CAP -> UnsupportedRequest, before ALGORITHMS -> UnexpectedRequest, other version -> VersionMismatch")
    func gate() {
        var old = Harness.provisioning(version: .v11, multiKey: false)
        #expect(old.send(Self.request(.v11)) == [0x11, 0x7F, 0x07, 0xED])
        var noCap = Harness.provisioning(ProvisioningFixtures.device(capabilities: [.cert, .chal, .setCert]), version: .v12)
        #expect(noCap.send(Self.request(.v12)) == [0x12, 0x7F, 0x07, 0xED])
        var early = Harness.afterCapabilities(device: ProvisioningFixtures.device(), version: .v12)
        #expect(early.send(Self.request(.v12)) == [0x12, 0x7F, 0x04, 0x00])
        var mismatch = Harness.provisioning(version: .v13)
        #expect(mismatch.send(Self.request(.v12)) == [0x13, 0x7F, 0x41, 0x00])
    }

    @Test("CSRTrackingTag on a device without CERT_INSTALL_RESET, or with Overwrite -> InvalidRequest")
    func tagRules() {
        var harness = Harness.provisioning()
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, tag: 2)) == [0x13, 0x7F, 0x01, 0x00])
        var reset = Harness.provisioning(ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.certInstallReset)))
        #expect(reset.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, tag: 2, overwrite: true)) == [0x13, 0x7F, 0x01, 0x00])
    }

    @Test("CERT_INSTALL_RESET 1.3: ResetRequired with tags 1-7, then Busy; Overwrite starts over; after the reset the tagged request gets its CSR once")
    func trackingTags() throws {
        let log = CommitLog()
        let device = ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.certInstallReset))
        var harness = Harness.provisioning(device, log: log)
        for tag in UInt8(1)...7 {
            #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)) == [0x13, 0x7F, 0x0C, tag])
        }
        #expect(log.commits.count == 7)
        #expect(log.last?.pendingReset.csrRequests.keys.sorted() == Array(1...7))
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)) == [0x13, 0x7F, 0x03, 0x00])
        // A known tag before the reset: Busy. An unknown one: InvalidRequest.
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, tag: 3)) == [0x13, 0x7F, 0x03, 0x00])
        #expect(harness.send(Self.request(.v13, keyPairID: 2, model: .deviceCert, overwrite: true)) == [0x13, 0x7F, 0x0C, 0x01])
        #expect(log.last?.pendingReset.csrRequests.keys.sorted() == [1])
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, tag: 3)) == [0x13, 0x7F, 0x01, 0x00])

        // The device reset (what ProvisionedState+Reset does to pending CSR requests).
        var state = try #require(log.last)
        state.pendingReset.csrRequests[1]?.ready = true
        harness.responder.updateProvisioned(state)
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert, tag: 1)) == [0x13, 0x7F, 0x01, 0x00],
                "another request than the recorded one")
        let response = harness.send(Self.request(.v13, keyPairID: 2, model: .deviceCert, tag: 1))
        let parsed = try Self.csr(response)
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == TestChains.p384.leafKey.publicKey.subjectPublicKeyInfoDER)
        #expect(log.last?.pendingReset.csrRequests.isEmpty == true)
        #expect(harness.send(Self.request(.v13, keyPairID: 2, model: .deviceCert, tag: 1)) == [0x13, 0x7F, 0x01, 0x00], "answered once")
    }

    @Test("CERT_INSTALL_RESET before 1.3: ResetRequired, then after the reset the same request gets the CSR")
    func resetWithoutTags() throws {
        let log = CommitLog()
        let device = ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.certInstallReset))
        var harness = Harness.provisioning(device, version: .v12, log: log)
        #expect(harness.send(Self.request(.v12)) == [0x12, 0x7F, 0x0C, 0x00])
        #expect(harness.send(Self.request(.v12)) == [0x12, 0x7F, 0x0C, 0x00], "still waiting for the reset")
        var state = try #require(log.last)
        state.pendingReset.csrRequests[0]?.ready = true
        harness.responder.updateProvisioned(state)
        #expect(harness.send(Self.request(.v12))[1] == 0x6D)
        #expect(log.last?.pendingReset.csrRequests.isEmpty == true)
    }

    @Test("a key pair without a key gets one (GEN_KEY): the CSR is for it and the key is committed before the CSR leaves")
    func generatesKey() throws {
        let log = CommitLog()
        var state = ProvisionedState()
        state.keyPairs[1] = KeyPairSettings(keyUsage: 0, asymAlgorithm: 0, associatedSlotMask: 0, erased: true)
        var harness = Harness.provisioning(ProvisioningFixtures.device(provisioned: state), log: log)
        let parsed = try Self.csr(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)))
        let committed = try #require(log.last?.keyPairs[1])
        let key = try PrivateKey(der: try #require(committed.generatedKey))
        #expect(parsed.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        #expect(committed.asymAlgorithm == KeyPairAsymAlgorithms.ecc384.rawValue && !committed.erased)
        // Without GEN_KEY the empty key pair cannot answer.
        var fixed = Harness.provisioning(ProvisioningFixtures.device(keyPairCapabilities: [.erasable], provisioned: state))
        #expect(fixed.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)) == [0x13, 0x7F, 0x01, 0x00])
    }

    @Test("when persisting fails the request gets ERROR(Unspecified) and nothing changes")
    func commitFailure() throws {
        let log = CommitLog()
        var state = ProvisionedState()
        state.keyPairs[1] = KeyPairSettings(keyUsage: 0, asymAlgorithm: 0, associatedSlotMask: 0, erased: true)
        var harness = Harness.provisioning(ProvisioningFixtures.device(provisioned: state), log: log)
        log.failing = true
        #expect(harness.send(Self.request(.v13, keyPairID: 1, model: .deviceCert)) == [0x13, 0x7F, 0x05, 0x00])
        #expect(harness.device.provisioned == state)
    }
}
