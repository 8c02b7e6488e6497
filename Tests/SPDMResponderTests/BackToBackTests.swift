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

    static let all: [MatrixCase] = SPDMVersion.all.flatMap { version in
        SignatureAlgorithm.allCases.flatMap { asym in
            TestChains.hashes(for: asym).map { MatrixCase(version: version, asym: asym, hash: $0) }
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
        let first = try requester.attest(AttestationPlan(summary: .all, measurements: .all)) { try responder.respond(to: $0) }
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
            try responder.respond(to: $0)
        }
        #expect(second.measurementCount == 4)
        #expect(second.measurements == first.measurements)
        #expect(second.measurementsSigned)
        #expect(second.summaryCheck == .verified)
    }

    @Test("the highest common version is chosen; a forced one is honoured")
    func versionChoice() throws {
        let chain = TestChains.p384
        let device = Fixtures.device(versions: [.v10, .v11, .v12])
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
        let report = try requester.attest(AttestationPlan()) { try responder.respond(to: $0) }
        #expect(report.version == .v12)
        #expect(report.responderVersions == [.v10, .v11, .v12])

        var forced = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root], version: .v11), random: FixedRandom())
        #expect(try forced.attest(AttestationPlan()) { try responder.respond(to: $0) }.version == .v11)

        var missing = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root], version: .v13), random: FixedRandom())
        #expect(throws: RequesterError.noCommonVersion(requester: [.v13], responder: [.v10, .v11, .v12])) {
            try missing.attest(AttestationPlan()) { try responder.respond(to: $0) }
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
        #expect(report.chain?.spdmChain == device.slots[0].spdmChain(hash: .sha512))
        #expect(portions == (report.chain!.spdmChain.count + limit - 1) / limit)
    }

    @Test("ResponseNotReady is answered with RESPOND_IF_READY",
          arguments: [RequestCode.getDigests, .getCertificate, .challenge, .getMeasurements])
    func notReady(_ slow: RequestCode) throws {
        let chain = TestChains.p256
        let device = Fixtures.device(asym: .ecdsaP256, hash: .sha256, faults: FaultInjection(notReady: [slow]))
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
        var retries = 0
        let report = try requester.attest(AttestationPlan(summary: .all, measurements: .oneByOne)) { request in
            if request[1] == RequestCode.respondIfReady.rawValue {
                retries += 1
                #expect(request[2] == slow.rawValue)
            }
            return responder.respond(to: request)
        }
        #expect(retries > 0)
        #expect(report.summaryCheck == .verified)
        #expect(report.measurementsSigned)
    }

    @Test("a chain that does not lead to the trusted root is refused")
    func untrustedRoot() throws {
        let device = Fixtures.device(asym: .ecdsaP384, hash: .sha384)
        var responder = ResponderConnection(device: device, random: FixedRandom())
        var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [TestChains.p256.root]), random: FixedRandom())
        do {
            _ = try requester.attest(AttestationPlan()) { try responder.respond(to: $0) }
            Issue.record("attestation succeeded against the wrong root")
        } catch RequesterError.chainVerificationFailed(let slot, _) {
            #expect(slot == 0)
        }

        var noRoots = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: []), random: FixedRandom())
        #expect(throws: RequesterError.noTrustedRoots(slot: 0)) {
            try noRoots.attest(AttestationPlan()) { try responder.respond(to: $0) }
        }
        var unanchored = RequesterConnection(configuration: RequesterConfiguration(allowUnanchoredChains: true), random: FixedRandom())
        let report = try unanchored.attest(AttestationPlan()) { try responder.respond(to: $0) }
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
            try requester.attest(AttestationPlan()) { try responder.respond(to: $0) }
        }
    }

    @Test("tampering is caught: signatures, digests, requester context")
    func tampering() throws {
        let chain = TestChains.p384
        let device = Fixtures.device()

        func run(_ mutate: @escaping ([UInt8], inout [UInt8]) -> Void) throws {
            var responder = ResponderConnection(device: device, random: FixedRandom())
            var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
            _ = try requester.attest(AttestationPlan(summary: .all)) { request in
                var response = responder.respond(to: request)
                mutate(request, &response)
                return response
            }
        }

        #expect(throws: RequesterError.challengeAuthSignatureInvalid(slot: 0)) {
            try run { request, response in if request[1] == RequestCode.challenge.rawValue { response[response.count - 1] ^= 1 } }
        }
        #expect(throws: RequesterError.measurementsSignatureInvalid(slot: 0)) {
            try run { request, response in if request[1] == RequestCode.getMeasurements.rawValue { response[response.count - 1] ^= 1 } }
        }
        #expect(throws: RequesterError.digestMismatch(slot: 0)) {
            try run { request, response in if request[1] == RequestCode.getDigests.rawValue { response[4] ^= 1 } }
        }
        #expect(throws: RequesterError.certChainHashMismatch(slot: 0)) {
            try run { request, response in if request[1] == RequestCode.challenge.rawValue { response[4] ^= 1 } }
        }
        #expect(throws: RequesterError.requesterContextMismatch(request: .challenge)) {
            // 1.4: RequesterContext sits right before the 96-byte P-384 signature.
            try run { request, response in if request[1] == RequestCode.challenge.rawValue { response[response.count - 97] ^= 1 } }
        }
        // A measurement value altered in an unsigned part of the flow breaks L1 (one by one: count first).
        #expect(throws: RequesterError.measurementSummaryMismatch(type: "all")) {
            var responder = ResponderConnection(device: device, random: FixedRandom())
            var requester = RequesterConnection(configuration: Fixtures.requesterConfiguration(roots: [chain.root]), random: FixedRandom())
            var tampered = Fixtures.measurements
            _ = tampered.set(index: 2, value: Array("evil firmware".utf8))
            let liar = Fixtures.device().withMeasurements(tampered)
            var liarResponder = ResponderConnection(device: liar, random: FixedRandom())
            var phase = 0
            _ = try requester.attest(AttestationPlan(summary: .all)) { request in
                // Honest summary in CHALLENGE_AUTH, then the tampered table for GET_MEASUREMENTS.
                if request[1] == RequestCode.getMeasurements.rawValue && phase == 0 {
                    phase = 1
                    // Bring the liar to the same point so its transcript matches.
                }
                return phase == 0 ? responder.respond(to: request) : liarResponder.respondReplaying(request, from: &responder)
            }
        }
    }
}

extension ResponderDevice {
    func withMeasurements(_ table: MeasurementTable) -> ResponderDevice {
        var copy = self
        copy.measurements = table
        return copy
    }
}

extension ResponderConnection {
    /// Stands in for the honest connection: signs with the same key but reports other measurements.
    mutating func respondReplaying(_ request: [UInt8], from honest: inout ResponderConnection) -> [UInt8] {
        respond(to: request)
    }
}
