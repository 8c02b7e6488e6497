import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// The requester's provisioning operations back to back with the responder.
@Suite("Requester: provisioning back to back")
struct RequesterProvisioningTests {
    static func pair(version: SPDMVersion = .v13, multiKey: Bool = true, device: ResponderDevice = ProvisioningFixtures.device(),
                     log: CommitLog = CommitLog(), capabilities: CapabilityFlags = []) throws -> (RequesterConnection, ResponderConnection) {
        var responder = ResponderConnection(device: device, random: FixedRandom(), commitProvisioning: log.commit)
        let configuration = RequesterConfiguration(
            forcedVersion: version, capabilities: capabilities.union(multiKey ? [.multiKeyNegotiated] : []),
            otherParams: multiKey ? [.opaqueDataFormat1, .multiKeyConnection] : .opaqueDataFormat1,
            trustedRoots: [TestChains.p384.root, TestChains.p256.root])
        var requester = RequesterConnection(configuration: configuration, random: FixedRandom())
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        return (requester, responder)
    }

    @Test("a multi-key connection: DIGESTS names slot 0's key pair, usage and model")
    func multiKeyDigests() throws {
        let (requester, _) = try Self.pair()
        #expect(requester.negotiated?.multiKeyConnectionResponder == true)
        #expect(requester.slotKeyPairs[0] == SlotKeyPair(keyPairID: 2, certificateModel: .deviceCert, keyUsage: .spdm))
        let (single, _) = try Self.pair(multiKey: false)
        #expect(single.negotiated?.multiKeyConnectionResponder == false && single.slotKeyPairs.isEmpty)
    }

    @Test("key pair info, change and erase, a CSR, an install: each answered and the installed chain served")
    func fullFlow() throws {
        let log = CommitLog()
        var (requester, responder) = try Self.pair(log: log)
        let exchange: ([UInt8]) throws -> [UInt8] = { responder.respond(to: $0) }
        guard case .keyPairInfo(let info) = try requester.perform(.getKeyPairInfo(1), exchange: exchange) else { Issue.record("no info"); return }
        #expect(info.totalKeyPairs == 2 && info.currentAsymAlgorithm == .ecc384)
        guard case .keyPairInfoSet = try requester.perform(.setKeyPairInfo(KeyPairChange(operation: .change, keyPairID: 1)), exchange: exchange),
              case .keyPairInfoSet = try requester.perform(.setKeyPairInfo(KeyPairChange(operation: .erase, keyPairID: 1)), exchange: exchange)
        else { Issue.record("no ACK"); return }
        guard case .csr(let der) = try requester.perform(.getCSR(CSRRequest(keyPairID: 1, model: .deviceCert)), exchange: exchange) else {
            Issue.record("no CSR"); return
        }
        let csr = try ParsedCertificateSigningRequest(der: der)
        let generated = try PrivateKey(der: try #require(log.last?.keyPairs[1]?.generatedKey))
        #expect(csr.publicKey.subjectPublicKeyInfoDER == generated.publicKey.subjectPublicKeyInfoDER)
        // A CA issues the CSR's key a certificate; it goes into slot 0 for key pair 1.
        let issued = ChainBytes.chain(for: generated, name: "issued")
        guard case .certificateSet(slot: 0) = try requester.perform(
            .setCertificate(CertificateInstall(slot: 0, certificatesDER: issued.certificatesDER, model: .deviceCert, keyPairID: 1)),
            exchange: exchange) else { Issue.record("no SET_CERTIFICATE_RSP"); return }
        // The erase left key pair 1 without key usage: give it back (keeping slot 0).
        guard case .keyPairInfoSet = try requester.perform(
            .setKeyPairInfo(KeyPairChange(operation: .change, keyPairID: 1, keyUsage: .spdm, associatedSlotMask: 0x01)), exchange: exchange)
        else { Issue.record("no ACK"); return }
        // A new connection sees the installed chain, key pair 1 behind slot 0, and CHALLENGE verifies.
        var fresh = ResponderConnection(device: responder.device, random: FixedRandom())
        var next = RequesterConnection(configuration: RequesterConfiguration(
            forcedVersion: .v13, capabilities: [.multiKeyNegotiated], otherParams: [.opaqueDataFormat1, .multiKeyConnection],
            trustedRoots: [issued.root]), random: FixedRandom())
        let report = try next.attest(AttestationPlan(slot: 0)) { fresh.respond(to: $0) }
        #expect(report.chain?.certificates.last == issued.leaf)
        #expect(next.slotKeyPairs[0]?.keyPairID == 1)
    }

    @Test("1.2: GET_CSR and SET_CERTIFICATE without key pairs; erase needs 1.3")
    func version12() throws {
        var (requester, responder) = try Self.pair(version: .v12, multiKey: false)
        let exchange: ([UInt8]) throws -> [UInt8] = { responder.respond(to: $0) }
        guard case .csr = try requester.perform(.getCSR(CSRRequest()), exchange: exchange) else { Issue.record("no CSR"); return }
        guard case .certificateSet(slot: 0) = try requester.perform(
            .setCertificate(CertificateInstall(slot: 0, certificatesDER: TestChains.p256.certificatesDER)), exchange: exchange) else {
            Issue.record("no SET_CERTIFICATE_RSP"); return
        }
        #expect(throws: RequesterError.self) { try requester.perform(.setCertificate(.erase(slot: 0)), exchange: exchange) }
        #expect(throws: RequesterError.self) { try requester.perform(.getKeyPairInfo(1), exchange: exchange) }
    }

    @Test("ERROR(ResetRequired) carries the CSRTrackingTag to the caller")
    func resetRequired() throws {
        let device = ProvisioningFixtures.device(capabilities: ProvisioningFixtures.capabilities.union(.certInstallReset))
        var (requester, responder) = try Self.pair(device: device)
        #expect(throws: RequesterError.errorResponse(request: .getCSR, code: .resetRequired, data: 1)) {
            try requester.perform(.getCSR(CSRRequest(keyPairID: 2, model: .deviceCert))) { responder.respond(to: $0) }
        }
    }

    @Test("a CSR whose signature does not verify is a malformed response")
    func forgedCSR() throws {
        var (requester, responder) = try Self.pair()
        let request = try requester.start(.getCSR(CSRRequest(keyPairID: 2, model: .deviceCert)))
        var response = responder.respond(to: request)
        response[response.count - 3] ^= 0x01  // inside the signature
        #expect(throws: RequesterError.self) { try requester.receive(response) }
    }

    @Test("KEY_EXCHANGE on a multi-key connection (message D in TH) and provisioning inside the session")
    func sessionOnMultiKey() throws {
        var device = ProvisioningFixtures.device(capabilities: SessionPair.responderCapabilities.union(ProvisioningFixtures.capabilities),
                                                 versions: [.v13])
        device.dhePreference = [.secp384r1]
        device.aeadPreference = [.aes256GCM]
        var responder = ResponderConnection(device: device)
        let configuration = RequesterConfiguration(
            forcedVersion: .v13, capabilities: SessionPair.requesterCapabilities.union(.multiKeyNegotiated),
            otherParams: [.opaqueDataFormat1, .multiKeyConnection], dhe: .secp384r1, aead: .aes256GCM, keySchedule: .spdm,
            trustedRoots: [TestChains.p384.root])
        var requester = RequesterConnection(configuration: configuration)
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms, .getDigests, .getCertificate(slot: 0)] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        let deliver: SecuredExchange = { record in
            let outcome = responder.handleSecured(record, format: SecuredChannel.mctp.format, mctpTyped: true)
            if let sealed = outcome.record { return .secured(sealed) }
            return .plain(outcome.plainResponse ?? [])
        }
        var session = try requester.keyExchange(channel: .mctp, exchange: { responder.respond(to: $0) }, secured: deliver)
        guard case .certificateSet(slot: 1) = try requester.performInSession(
            .setCertificate(CertificateInstall(slot: 1, certificatesDER: TestChains.p256.certificatesDER, model: .deviceCert, keyPairID: 1)),
            session: &session, via: deliver) else { Issue.record("no SET_CERTIFICATE_RSP in the session"); return }
        guard case .keyPairInfo(let info) = try requester.performInSession(.getKeyPairInfo(1), session: &session, via: deliver) else {
            Issue.record("no KEY_PAIR_INFO"); return
        }
        #expect(info.associatedSlotMask == 0x02)
        try requester.heartbeat(session: &session, via: deliver)
    }
}
