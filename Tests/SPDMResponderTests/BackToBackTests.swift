import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire
import Testing

/// One cell of the interop matrix: version x signing algorithm x hash.
struct MatrixCase: Sendable, CustomTestStringConvertible {
    var version: SPDMVersion
    var asym: SignatureAlgorithm
    var hash: HashAlgorithm

    var testDescription: String { "\(version) \(asym.rawValue) \(hash.rawValue)" }

    /// Every pair the crypto layer supports, at every version that defines both algorithms
    /// (EdDSA, SM2 and SM3 arrive with 1.2).
    static let all: [MatrixCase] = SPDMVersion.all.flatMap { version in
        SignatureAlgorithm.allCases.filter { BaseAsymAlgorithms.defined(in: version).contains(BaseAsymAlgorithms($0)) }.flatMap { asym in
            TestChains.hashes(for: asym).filter { BaseHashAlgorithms.defined(in: version).contains(BaseHashAlgorithms($0)) }
                .map { MatrixCase(version: version, asym: asym, hash: $0) }
        }
    }
}

@Suite("Requester <-> responder back to back")
struct BackToBackTests {
    @Test("full attestation at every version, algorithm and hash", arguments: MatrixCase.all)
    func matrix(_ cell: MatrixCase) throws {
        let chain = TestChains.chain(for: cell.asym)
        let device = Fixtures.device(asym: cell.asym, hash: cell.hash, versions: [cell.version], certificatePortionLimit: 300)
        var responder = ResponderConnection(device: device, random: FixedRandom(byte: 0x5A))
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]),
                                            random: FixedRandom(byte: 0xC3))

        // All measurements in one signed response, summary over all of them.
        let first = try requester.attest(AttestationPlan(summary: .all, measurements: .all)) { responder.respond(to: $0) }
        #expect(first.version == cell.version)
        #expect(first.algorithms.hash == cell.hash)
        #expect(first.algorithms.asym == cell.asym)
        #expect(first.chain?.anchored == true)
        #expect(first.chain?.certificates.count == 3)
        #expect(first.chain?.leaf == chain.leaf)
        #expect(first.measurements.map(\.index) == [1, 2, 3, 4])
        #expect(first.measurementsSigned)
        #expect(first.summaryCheck == .verified)
        #expect(requester.authenticated)

        // The same connection again (GET_VERSION restarts it): one by one, TCB summary with known TCB.
        let second = try requester.attest(AttestationPlan(summary: .tcb, measurements: .oneByOne, tcbIndices: [1, 2])) {
            responder.respond(to: $0)
        }
        #expect(second.measurementCount == 4)
        #expect(second.measurements == first.measurements)
        #expect(second.measurementsSigned)
        #expect(second.summaryCheck == .verified)
    }

    @Test("EdDSA, SM2 and SM3 are not negotiated below 1.2", arguments: [SPDMVersion.v10, .v11])
    func newAlgorithmsNeed12(_ version: SPDMVersion) throws {
        for (asym, hash) in [(SignatureAlgorithm.ed25519, HashAlgorithm.sha256), (.ed448, .sha512), (.sm2, .sm3_256), (.ecdsaP256, .sm3_256)] {
            var responder = ResponderConnection(device: Fixtures.device(asym: asym, hash: hash, versions: [version]), random: FixedRandom())
            var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.chain(for: asym).root]),
                                                random: FixedRandom())
            #expect(throws: RequesterError.errorResponse(request: .negotiateAlgorithms, code: .invalidRequest, data: 0)) {
                try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
            }
        }
    }

    @Test("1.0/1.1 EdDSA signs the raw transcript (no combined prefix), which verifies", arguments: [SPDMVersion.v10, .v11])
    func eddsaRawTranscript(_ version: SPDMVersion) throws {
        // What a pre-1.2 EdDSA signature would cover if negotiated (libspdm allows it): M1 itself, any length.
        let transcript = [UInt8](repeating: 0x42, count: 5000) + Array("CHALLENGE_AUTH".utf8)
        for asym in [SignatureAlgorithm.ed25519, .ed448] {
            let key = TestChains.chain(for: asym).leafKey
            #expect(SigningContext.message(version: version, context: SigningContext.challengeAuth, hash: .sha384, transcript: transcript) == transcript)
            let signature = try SigningContext.sign(key: key, algorithm: .classic(asym), hash: .sha384, version: version,
                                                    context: SigningContext.challengeAuth, transcript: transcript)
            #expect(SigningContext.verify(key: key.publicKey, algorithm: .classic(asym), hash: .sha384, version: version,
                                          context: SigningContext.challengeAuth, transcript: transcript, signature: signature))
            #expect(!SigningContext.verify(key: key.publicKey, algorithm: .classic(asym), hash: .sha384, version: .v12,
                                           context: SigningContext.challengeAuth, transcript: transcript, signature: signature))
        }
    }

    @Test("the highest common version is chosen; a forced one is honoured")
    func versionChoice() throws {
        let chain = TestChains.p384
        let device = Fixtures.device(versions: [.v10, .v11, .v12])
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
        let report = try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
        #expect(report.version == .v12)
        #expect(report.responderVersions == [.v10, .v11, .v12])

        var forced = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root], version: .v11), random: FixedRandom())
        #expect(try forced.attest(AttestationPlan()) { responder.respond(to: $0) }.version == .v11)

        var missing = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root], version: .v13), random: FixedRandom())
        #expect(throws: RequesterError.noCommonVersion(requester: [.v13], responder: [.v10, .v11, .v12])) {
            try missing.attest(AttestationPlan()) { responder.respond(to: $0) }
        }
    }

    @Test("chains larger than one CERTIFICATE response are reassembled", arguments: [64, 200, 1024])
    func certificatePortions(limit: Int) throws {
        let chain = TestChains.rsa4096
        let device = Fixtures.device(asym: .rsapss4096, hash: .sha512, certificatePortionLimit: limit)
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
        var portions = 0
        let report = try requester.attest(AttestationPlan(measurements: .none)) { request in
            if request[1] == RequestCode.getCertificate.rawValue { portions += 1 }
            return responder.respond(to: request)
        }
        let expected = device.slots[0].spdmChain(hash: .sha512)
        #expect(report.chain?.spdmChain == expected)
        #expect(portions == (expected.count + limit - 1) / limit)
    }

    @Test("a chain that does not lead to the trusted root is refused")
    func untrustedRoot() throws {
        let device = Fixtures.device(asym: .ecdsaP384, hash: .sha384)
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p256.root]), random: FixedRandom())
        do {
            _ = try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
            Issue.record("attestation succeeded against the wrong root")
        } catch RequesterError.chainVerificationFailed(let slot, _) {
            #expect(slot == 0)
        }

        var noRoots = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: []), random: FixedRandom())
        #expect(throws: RequesterError.noTrustedRoots(slot: 0)) {
            try noRoots.attest(AttestationPlan()) { responder.respond(to: $0) }
        }
        var unanchored = RequesterConnection(configuration: RequesterConfiguration(allowUnanchoredChains: true), random: FixedRandom())
        let report = try unanchored.attest(AttestationPlan()) { responder.respond(to: $0) }
        #expect(report.unanchored)
    }

    @Test("a chain whose RootHash is wrong is refused")
    func rootHash() throws {
        let chain = TestChains.p384
        // The slot claims another certificate as its root.
        let slot = CertificateSlot(id: 0, certificatesDER: chain.certificatesDER, rootCertificateDER: chain.intermediate.der,
                                   privateKey: chain.leafKey)
        var responder = ResponderConnection(device: Fixtures.device(slots: [slot]), random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
        #expect(throws: RequesterError.rootHashMismatch(slot: 0)) {
            try requester.attest(AttestationPlan()) { responder.respond(to: $0) }
        }
    }

    /// Runs a default 1.4 / P-384 attestation with `mutate` applied to each response.
    private func tamperedRun(plan: AttestationPlan = AttestationPlan(summary: .all),
                             _ mutate: @escaping (_ request: [UInt8], _ response: inout [UInt8]) -> Void) throws {
        var responder = ResponderConnection(device: Fixtures.device(), random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root]),
                                            random: FixedRandom())
        _ = try requester.attest(plan) { request in
            var response = responder.respond(to: request)
            mutate(request, &response)
            return response
        }
    }

    @Test("tampering is caught: signatures, digests, chain hash, requester context")
    func tampering() throws {
        let challenge = RequestCode.challenge.rawValue
        let measurements = RequestCode.getMeasurements.rawValue
        #expect(throws: RequesterError.challengeAuthSignatureInvalid(slot: 0)) {
            try tamperedRun { request, response in if request[1] == challenge { response[response.count - 1] ^= 1 } }
        }
        #expect(throws: RequesterError.measurementsSignatureInvalid(slot: 0)) {
            try tamperedRun { request, response in if request[1] == measurements { response[response.count - 1] ^= 1 } }
        }
        #expect(throws: RequesterError.measurementsSignatureInvalid(slot: 0)) {
            // A block value changed: the signature over L1 no longer verifies.
            try tamperedRun { request, response in if request[1] == measurements { response[20] ^= 1 } }
        }
        #expect(throws: RequesterError.digestMismatch(slot: 0)) {
            try tamperedRun { request, response in if request[1] == RequestCode.getDigests.rawValue { response[4] ^= 1 } }
        }
        #expect(throws: RequesterError.certChainHashMismatch(slot: 0)) {
            try tamperedRun { request, response in if request[1] == challenge { response[4] ^= 1 } }
        }
        #expect(throws: RequesterError.requesterContextMismatch(request: .challenge)) {
            // 1.4: RequesterContext sits right before the 96-byte P-384 signature.
            try tamperedRun { request, response in if request[1] == challenge { response[response.count - 97] ^= 1 } }
        }
        #expect(throws: RequesterError.errorResponse(request: .challenge, code: .unspecified, data: 0)) {
            try tamperedRun { request, response in if request[1] == challenge { response = [0x14, 0x7F, 0x05, 0x00] } }
        }
        #expect(throws: RequesterError.unexpectedResponse(request: .getDigests, code: 0x02)) {
            try tamperedRun { request, response in if request[1] == RequestCode.getDigests.rawValue { response[1] = 0x02 } }
        }
        // A TCB the requester believes in that differs from the device's gives another summary hash.
        #expect(throws: RequesterError.measurementSummaryMismatch(type: "TCB")) {
            try tamperedRun(plan: AttestationPlan(summary: .tcb, tcbIndices: [1])) { _, _ in }
        }
    }

    @Test("a TCB summary hash is reported unchecked when the TCB is unknown")
    func tcbUnknown() throws {
        var responder = ResponderConnection(device: Fixtures.device(), random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root]), random: FixedRandom())
        let report = try requester.attest(AttestationPlan(summary: .tcb)) { responder.respond(to: $0) }
        guard case .unchecked = report.summaryCheck else {
            Issue.record("expected unchecked, got \(report.summaryCheck)")
            return
        }
        #expect(report.challenge?.measurementSummaryHash.count == 48)
    }

    @Test("PCI-DOE style padding after a response does not leak into the transcript")
    func paddedResponses() throws {
        let report = try tamperedRun2 { response in response += [0, 0, 0] }
        #expect(report.measurementsSigned)
    }

    private func tamperedRun2(_ mutate: @escaping (inout [UInt8]) -> Void) throws -> AttestationReport {
        var responder = ResponderConnection(device: Fixtures.device(), random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p384.root]),
                                            random: FixedRandom())
        return try requester.attest(AttestationPlan(summary: .all, measurements: .oneByOne)) { request in
            var response = responder.respond(to: request)
            mutate(&response)
            return response
        }
    }
}
