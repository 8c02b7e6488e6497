import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// SPDM 1.4 post-quantum negotiation (DSP0274 1.4 §10.5): the hybrid device's PQC-first policy, the
/// requester's NEGOTIATE_ALGORITHMS layout, and the ALGORITHMS responses it must refuse.
@Suite("SPDM 1.4 post-quantum negotiation")
struct PQCNegotiationTests {
    /// ECDSA P-384 / SECP384R1 and ML-DSA-65 / ML-KEM-768; slot 0 holds a chain of each (it serves the one
    /// that fits the negotiated algorithm).
    static func hybridDevice(pqcFirst: Bool, versions: [SPDMVersion] = [.v12, .v13, .v14]) -> ResponderDevice {
        var slot = TestChains.p384.slot()
        let pqc = TestChains.mlDsa65
        slot.otherAlgorithmChains = [.init(certificatesDER: pqc.certificatesDER, rootCertificateDER: pqc.root.der, privateKey: pqc.leafKey)]
        var device = ResponderDevice(name: "hybrid", versions: versions, capabilities: PQCPair.responderCapabilities,
                                     dataTransferSize: 8192, maxSPDMMessageSize: 8192, hashPreference: [.sha384],
                                     asymPreference: [.ecdsaP384], dhePreference: [.secp384r1], aeadPreference: [.aes256GCM],
                                     slots: [slot], measurements: Fixtures.measurements)
        device.pqcAsymPreference = [.mlDsa65]
        device.kemPreference = [.mlKem768]
        device.pqcFirst = pqcFirst
        return device
    }

    static let roots = [TestChains.p384.root, TestChains.mlDsa65.root]

    static func hybridPair(pqcFirst: Bool, offerPQC: Bool = true, version: SPDMVersion = .v14) -> PQCPair {
        var configuration = PQCPair.configuration(roots: roots, version: version, transferSize: 8192, chunk: false)
        if !offerPQC {
            configuration.pqcAsym = []
            configuration.kem = []
        }
        return PQCPair(device: hybridDevice(pqcFirst: pqcFirst), configuration: configuration)
    }

    // MARK: hybrid device

    @Test("hybrid device, pqc_first true: ML-DSA-65 and ML-KEM-768 are selected; attestation and a session use them")
    func hybridPQCFirst() throws {
        let pair = Self.hybridPair(pqcFirst: true)
        let report = try pair.attest()
        #expect(report.chain?.certificates.last?.der == TestChains.mlDsa65.leaf.der)
        #expect(report.algorithms.pqcAsym == .mlDsa65)
        #expect(report.algorithms.asym == nil)
        #expect(report.algorithms.kem == .mlKem768)
        #expect(report.algorithms.dhe == [])
        #expect(report.challenge != nil && report.measurementsSigned)
        var session = try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("hybrid device, pqc_first false: ECDSA P-384 and SECP384R1 are selected")
    func hybridClassicFirst() throws {
        let pair = Self.hybridPair(pqcFirst: false)
        let report = try pair.attest()
        #expect(report.chain?.certificates.last?.der == TestChains.p384.leaf.der)
        #expect(report.algorithms.asym == .ecdsaP384)
        #expect(report.algorithms.pqcAsym == nil)
        #expect(report.algorithms.dhe == .secp384r1)
        #expect(report.algorithms.kem == nil)
        var session = try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("hybrid device, pqc_first true, a requester offering no PQC: the classic algorithms")
    func hybridRequesterWithoutPQC() throws {
        let pair = Self.hybridPair(pqcFirst: true, offerPQC: false)
        let report = try pair.attest()
        #expect(report.algorithms.signing == .classic(.ecdsaP384))
        #expect(report.algorithms.dhe == .secp384r1)
        #expect(report.algorithms.kem == nil)
        var session = try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("a leaf of another ML-DSA parameter set is refused: an ML-DSA-87 key cannot verify the negotiated ML-DSA-65")
    func leafOfAnotherParameterSet() throws {
        // The device signs with an ML-DSA-65 key but serves an ML-DSA-87 chain.
        let served = TestChains.mlDsa87
        let slot = CertificateSlot(id: 0, certificatesDER: served.certificatesDER, rootCertificateDER: served.root.der,
                                   privateKey: TestChains.mlDsa65.leafKey)
        var device = PQCPair.device(pqc: .mlDsa65, kem: .mlKem768, chain: TestChains.mlDsa65, transferSize: 8192, chunk: false)
        device.replaceIdentity(slots: [slot], keyPairs: nil)
        let pair = PQCPair(device: device, configuration: PQCPair.configuration(roots: [served.root], transferSize: 8192, chunk: false))
        do {
            _ = try pair.attest()
            Issue.record("an ML-DSA-87 leaf was accepted for ML-DSA-65")
        } catch RequesterError.leafKeyMismatch(let slot, let reason) {
            #expect(slot == 0)
            #expect(reason.contains("ML-DSA-65"), "\(reason)")
        }
    }

    // MARK: what the requester sends

    @Test("NEGOTIATE_ALGORITHMS at 1.4 carries PqcAsymAlgo at +16 and AlgStructures 2, 3, 4, 5, 6, 7 in order; at 1.3 neither")
    func requestLayout() throws {
        for version in [SPDMVersion.v13, .v14] {
            var configuration = PQCPair.configuration(roots: Self.roots, version: version, transferSize: 8192, chunk: false)
            configuration.requesterBaseAsym = .rsapss3072
            configuration.requesterPQCAsym = .mlDsa65
            var sent: [UInt8] = []
            let pair = PQCPair(device: Self.hybridDevice(pqcFirst: true), configuration: configuration)
            for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
                _ = try pair.requester.perform(operation) { request in
                    if request[1] == RequestCode.negotiateAlgorithms.rawValue { sent = request }
                    return pair.plain(request)
                }
            }
            let request = try NegotiateAlgorithmsRequest(decoding: sent, context: .unnegotiated(version))
            let pqcField = UInt32(sent[16]) | UInt32(sent[17]) << 8 | UInt32(sent[18]) << 16 | UInt32(sent[19]) << 24
            if version == .v14 {
                #expect(pqcField == PQCAsymAlgorithms([.mlDsa65, .mlDsa87]).rawValue)
                #expect(request.structures.map(\.type.rawValue) == [2, 3, 4, 5, 6, 7])
                #expect(request.structure(.requesterPQCAsym)?.supported == PQCAsymAlgorithms.mlDsa65.requesterStructureBits)
                #expect(request.structure(.kem)?.supported == KEMAlgorithms([.mlKem768, .mlKem1024]).rawValue)
                #expect(sent.count == 32 + 6 * 4)
            } else {
                #expect(pqcField == 0)
                #expect(request.structures.map(\.type.rawValue) == [2, 3, 4, 5])
            }
        }
    }

    @Test("a requester identity with an ML-DSA key is offered as ReqPqcAsymAlg, a classic one as ReqBaseAsymAlg")
    func identityOffer() throws {
        let chain = TestChains.mlDsa65Requester
        let identity = try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: chain.leafKey,
                                                algorithm: .pqc(.mlDsa65))
        var configuration = RequesterConfiguration(requesterIdentity: identity)
        #expect(configuration.offeredRequesterPQCAsym == .mlDsa65)
        #expect(configuration.offeredRequesterAsym == [])
        configuration.requesterIdentity = SessionPair.requesterIdentity()
        #expect(configuration.offeredRequesterPQCAsym == [])
        #expect(configuration.offeredRequesterAsym == .rsapss3072)
        #expect(throws: RequesterError.self) {
            _ = try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: chain.leafKey,
                                         algorithm: .pqc(.mlDsa87))
        }
    }

    // MARK: the responder below 1.4

    @Test("the responder answers a 1.3 request whose reserved +16 holds PQC bits with no PQC: PqcAsymSel stays 0, BaseAsymSel is chosen")
    func responderIgnoresPQCBelow14() throws {
        var harness = Harness(device: Self.hybridDevice(pqcFirst: true), version: .v13)
        harness.runCapabilities()
        var request = NegotiateAlgorithmsRequest(version: .v14, baseAsym: .ecdsaP384, baseHash: .sha384, pqcAsym: .mlDsa65)
            .encoded(context: .unnegotiated(.v14))
        request[0] = SPDMVersion.v13.rawValue
        let response = harness.send(request)
        let algorithms = try AlgorithmsResponse(decoding: response, context: .unnegotiated(.v13))
        #expect(Array(response[20..<24]) == [0, 0, 0, 0])
        #expect(algorithms.baseAsym == .ecdsaP384)
        #expect(harness.responder.negotiated?.pqcAsym == nil)
    }

    @Test("a PQC-only requester at 1.3 gets no PQC: against a hybrid device the classic algorithm, against an ML-DSA-only device ERROR(InvalidRequest)")
    func pqcOnlyRequesterAt13() throws {
        var configuration = PQCPair.configuration(roots: Self.roots, version: .v13, transferSize: 8192, chunk: false)
        configuration.baseAsym = []
        let pqcOnly = PQCPair(device: PQCPair.device(pqc: .mlDsa65, kem: .mlKem768, chain: TestChains.mlDsa65, transferSize: 8192, chunk: false),
                              configuration: configuration)
        #expect(throws: RequesterError.errorResponse(request: .negotiateAlgorithms, code: .invalidRequest, data: 0)) {
            _ = try pqcOnly.attest()
        }
        // Classic offered too: the hybrid device falls back to it at 1.3.
        configuration.baseAsym = RequesterConfiguration.allAsym
        let hybrid = PQCPair(device: Self.hybridDevice(pqcFirst: true), configuration: configuration)
        let report = try hybrid.attest()
        #expect(report.version == .v13)
        #expect(report.algorithms.pqcAsym == nil)
        #expect(report.algorithms.kem == nil)
        #expect(report.algorithms.signing == .classic(.ecdsaP384))
    }

    // MARK: ALGORITHMS the requester refuses

    /// Runs VCA against the hybrid device (PQC first) with `edit` applied to the ALGORITHMS response.
    static func negotiate(edit: (inout [UInt8]) -> Void, configure: (inout RequesterConfiguration) -> Void = { _ in }) throws {
        var configuration = PQCPair.configuration(roots: roots, transferSize: 8192, chunk: false,
                                                  capabilities: PQCPair.requesterCapabilities.union(.mutAuth))
        configure(&configuration)
        var device = hybridDevice(pqcFirst: true)
        device.capabilities.insert(.mutAuth)
        device.requesterAsymPreference = [.rsapss3072]
        device.requesterPQCAsymPreference = [.mlDsa65]
        let pair = PQCPair(device: device, configuration: configuration)
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try pair.requester.perform(operation) { request in
                var response = pair.plain(request)
                if request[1] == RequestCode.negotiateAlgorithms.rawValue { edit(&response) }
                return response
            }
        }
    }

    static func setU32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// The AlgSupported field of the response's AlgStructure of `type`.
    static func setStructure(_ bytes: inout [UInt8], type: AlgorithmStructure.AlgType, _ value: UInt16) {
        var offset = AlgorithmsResponse.fixedSize
        while offset + 4 <= bytes.count {
            if bytes[offset] == type.rawValue {
                bytes[offset + 2] = UInt8(value & 0xFF)
                bytes[offset + 3] = UInt8(value >> 8)
                return
            }
            offset += 4
        }
    }

    static func expectNegotiationFailure(_ expected: String, edit: (inout [UInt8]) -> Void,
                                         configure: (inout RequesterConfiguration) -> Void = { _ in }) {
        do {
            try negotiate(edit: edit, configure: configure)
            Issue.record("ALGORITHMS accepted; expected a failure about \(expected)")
        } catch RequesterError.negotiationFailed(let reason) {
            #expect(reason.contains(expected), "\(reason)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the unedited ALGORITHMS is accepted (the baseline of the refusals below)")
    func baseline() throws {
        try Self.negotiate(edit: { _ in }, configure: { $0.requesterPQCAsym = .mlDsa65 })
    }

    @Test("the requester refuses ALGORITHMS selecting both BaseAsymSel and PqcAsymSel")
    func bothSignatureSelections() {
        Self.expectNegotiationFailure("both BaseAsymSel") { Self.setU32(&$0, at: 12, BaseAsymAlgorithms.ecdsaP384.rawValue) }
    }

    @Test("the requester refuses a PqcAsymSel with two bits, one not offered, or an empty selection when signatures are needed")
    func badPqcAsymSel() {
        Self.expectNegotiationFailure("PqcAsymSel selects several") { Self.setU32(&$0, at: 20, 0x6) }
        Self.expectNegotiationFailure("PqcAsymSel 0x4 was not offered", edit: { Self.setU32(&$0, at: 20, 0x4) },
                                      configure: { $0.pqcAsym = .mlDsa65 })
        Self.expectNegotiationFailure("no BaseAsymSel or PqcAsymSel") { Self.setU32(&$0, at: 20, 0) }
    }

    @Test("the requester refuses ALGORITHMS selecting both DHE and KEMAlg, or both ReqBaseAsymAlg and ReqPqcAsymAlg")
    func bothPairSelections() {
        Self.expectNegotiationFailure("both DHE") { Self.setStructure(&$0, type: .dhe, DHEGroups.secp384r1.rawValue) }
        Self.expectNegotiationFailure("both ReqBaseAsymAlg", edit: {
            Self.setStructure(&$0, type: .requesterBaseAsym, BaseAsymAlgorithms.rsapss3072.requesterStructureBits)
        }, configure: {
            $0.requesterBaseAsym = .rsapss3072
            $0.requesterPQCAsym = .mlDsa65
        })
    }

    @Test("the requester refuses a KEMAlg it did not offer, and a KEMAlg structure it did not send")
    func unofferedKEM() {
        Self.expectNegotiationFailure("KEMAlg 0x1 was not offered") { Self.setStructure(&$0, type: .kem, KEMAlgorithms.mlKem512.rawValue) }
        Self.expectNegotiationFailure("AlgType 7, which was not sent", edit: { response in
            // Turn the echoed KeySchedule structure (the last classic one) into a KEMAlg.
            var offset = AlgorithmsResponse.fixedSize
            while offset + 4 <= response.count && response[offset] != AlgorithmStructure.AlgType.keySchedule.rawValue { offset += 4 }
            response[offset] = AlgorithmStructure.AlgType.kem.rawValue
        }, configure: { $0.kem = [] })
    }
}
