import SPDMCore
import SPDMCrypto
import SPDMWire

/// What an attestation run does after VCA.
public struct AttestationPlan: Sendable, Hashable {
    public enum MeasurementMode: String, Sendable, Hashable, CaseIterable {
        case none
        /// The total count, then each index 1...count; only the last one signed (as spdm-emu does).
        case oneByOne = "one-by-one"
        /// All blocks in one signed response.
        case all
    }

    public var slot: UInt8
    public var challenge: Bool
    public var summary: MeasurementSummaryHashType
    public var measurements: MeasurementMode
    /// Fail when the responder can only send unsigned measurements (MEAS_CAP = 01b).
    public var requireSignedMeasurements: Bool
    /// The indices the requester knows to be the TCB, to check a TCB summary hash; nil = unknown.
    public var tcbIndices: Set<UInt8>?
    /// Ignore `summary`: ask for the summary of all measurements when the responder has MEAS_CAP, else none.
    public var automaticSummary: Bool

    public init(slot: UInt8 = 0, challenge: Bool = true, summary: MeasurementSummaryHashType = .none,
                measurements: MeasurementMode = .all, requireSignedMeasurements: Bool = true, tcbIndices: Set<UInt8>? = nil,
                automaticSummary: Bool = false) {
        self.automaticSummary = automaticSummary
        self.slot = slot
        self.challenge = challenge
        self.summary = summary
        self.measurements = measurements
        self.requireSignedMeasurements = requireSignedMeasurements
        self.tcbIndices = tcbIndices
    }
}

/// Everything one attestation run established.
public struct AttestationReport: Sendable {
    public enum SummaryCheck: Sendable, Hashable {
        case notRequested
        case verified
        /// Could not be recomputed (the reason says why); not a failure.
        case unchecked(String)
    }

    public var version: SPDMVersion
    public var responderVersions: [SPDMVersion]
    public var capabilities: CapabilitiesResponse
    public var algorithms: NegotiatedAlgorithms
    public var digests: [UInt8: [UInt8]]
    public var chain: VerifiedCertificateChain?
    public var challenge: ChallengeResult?
    public var measurementCount: Int?
    public var measurements: [MeasurementBlock]
    public var measurementsSigned: Bool
    public var summaryCheck: SummaryCheck
    /// The summary type CHALLENGE asked for.
    public var summaryType: MeasurementSummaryHashType
    /// One line per check that passed, in order.
    public var verified: [String]
    /// ENDPOINT_INFO, when the responder has EP_INFO_CAP (1.3+; AttestationEndpointAndLog.swift).
    public var endpointInfo: EndpointInfoResult? = nil
    /// The measurement extension log, when the responder has MEL_CAP (1.3+).
    public var measurementExtensionLog: MeasurementExtensionLog? = nil
    /// True when a certificate chain was verified without a trusted root.
    public var unanchored: Bool { chain.map { !$0.anchored } ?? false }
}

extension RequesterConnection {
    /// VCA, then the chain of `plan.slot` (GET_DIGESTS, GET_CERTIFICATE), CHALLENGE and
    /// GET_MEASUREMENTS, verifying each step; throws the first `RequesterError`.
    public mutating func attest(_ plan: AttestationPlan, exchange: ([UInt8]) throws -> [UInt8]) throws -> AttestationReport {
        var plan = plan
        var verified: [String] = []
        guard case .version(let version) = try perform(.getVersion, exchange: exchange),
              case .capabilities(let capabilities) = try perform(.getCapabilities, exchange: exchange),
              case .algorithms(let algorithms) = try perform(.negotiateAlgorithms, exchange: exchange) else {
            throw RequesterError.invalidState("unexpected event during VCA")
        }
        let flags = capabilities.flags
        if plan.automaticSummary {
            plan.summary = plan.challenge && !flags.intersection(.measurementsAny).isEmpty ? .all : .none
        }
        let measuring = plan.measurements != .none
        let signedMeasurements = measuring && flags.contains(.measWithSignature)
        if plan.challenge && !flags.contains(.chal) { throw RequesterError.capabilityMissing("CHAL_CAP (CHALLENGE was asked for)") }
        if measuring && flags.intersection(.measurementsAny).isEmpty {
            throw RequesterError.capabilityMissing("MEAS_CAP (measurements were asked for)")
        }
        if measuring && !signedMeasurements && plan.requireSignedMeasurements {
            throw RequesterError.capabilityMissing("MEAS_CAP with signature (the responder only sends unsigned measurements)")
        }
        let needsChain = plan.challenge || signedMeasurements
        // SlotID 0xFF: the responder's raw public key, provisioned in the configuration (PUB_KEY_ID_CAP).
        let rawPublicKey = plan.slot == 0xFF
        if rawPublicKey && (chains[0xFF] == nil || !flags.contains(.pubKeyID)) {
            throw RequesterError.capabilityMissing("PUB_KEY_ID_CAP and a provisioned responder public key (slot 0xFF)")
        }
        if needsChain && !rawPublicKey && !flags.contains(.cert) { throw RequesterError.capabilityMissing("CERT_CAP (a certificate chain is needed)") }

        var report = AttestationReport(version: version, responderVersions: responderVersions, capabilities: capabilities,
                                       algorithms: algorithms, digests: [:], chain: nil, challenge: nil, measurementCount: nil,
                                       measurements: [], measurementsSigned: false, summaryCheck: .notRequested, summaryType: plan.summary, verified: [])

        if rawPublicKey {
            report.chain = chains[0xFF]
            verified.append("slot 0xFF: the responder's raw public key, provisioned")
        } else if flags.contains(.cert) {
            guard case .digests(let digests) = try perform(.getDigests, exchange: exchange) else {
                throw RequesterError.invalidState("unexpected event for GET_DIGESTS")
            }
            report.digests = digests
            guard digests[plan.slot] != nil else {
                throw RequesterError.capabilityMissing("slot \(plan.slot) holds no certificate chain (provisioned mask 0x\(String(provisionedSlotMask, radix: 16)))")
            }
            guard case .certificateChain(let chain) = try perform(.getCertificate(slot: plan.slot), exchange: exchange) else {
                throw RequesterError.invalidState("unexpected event for GET_CERTIFICATE")
            }
            report.chain = chain
            verified.append("slot \(plan.slot) certificate chain: format, RootHash, DIGESTS digest")
            if chain.anchored {
                verified.append("slot \(plan.slot) certificate chain: X.509 path to a trusted root, leaf key fits \(algorithms.signing?.name ?? "-")")
            }
        }

        if plan.challenge {
            guard case .challengeAuth(let result) = try perform(.challenge(slot: plan.slot, summary: plan.summary), exchange: exchange) else {
                throw RequesterError.invalidState("unexpected event for CHALLENGE")
            }
            report.challenge = result
            verified.append("CHALLENGE_AUTH: CertChainHash, RequesterContext, signature over M1 with the slot \(plan.slot) \(rawPublicKey ? "public" : "leaf") key")
        }

        switch plan.measurements {
        case .none:
            break
        case .all:
            let event = try perform(.getMeasurements(.all(signed: signedMeasurements, slot: plan.slot)), exchange: exchange)
            guard case .measurements(let result) = event else { throw RequesterError.invalidState("unexpected event for GET_MEASUREMENTS") }
            report.measurements = result.blocks
            report.measurementCount = result.blocks.count
            report.measurementsSigned = result.signatureVerified
        case .oneByOne:
            guard case .measurements(let count) = try perform(.getMeasurements(.totalCount), exchange: exchange),
                  let total = count.totalCount else {
                throw RequesterError.invalidState("unexpected event for GET_MEASUREMENTS (count)")
            }
            report.measurementCount = total
            for index in 0..<total {
                let last = index == total - 1
                let request = MeasurementRequest.index(UInt8(index + 1), signed: last && signedMeasurements, slot: plan.slot)
                guard case .measurements(let result) = try perform(.getMeasurements(request), exchange: exchange) else {
                    throw RequesterError.invalidState("unexpected event for GET_MEASUREMENTS")
                }
                report.measurements += result.blocks
                if last { report.measurementsSigned = result.signatureVerified }
            }
        }
        if report.measurementsSigned {
            verified.append("MEASUREMENTS: RequesterContext, signature over L1 (\(report.measurements.count) blocks)")
        }

        if let challenge = report.challenge, plan.summary != .none {
            report.summaryCheck = try checkSummary(challenge, plan: plan, blocks: report.measurements, algorithms: algorithms)
            if report.summaryCheck == .verified {
                verified.append("measurement summary hash (\(plan.summary == .all ? "all" : "TCB")) matches the measurements")
            }
        }
        try attestEndpointInfoAndLog(&report, plan: plan, verified: &verified, exchange: exchange)
        report.verified = verified
        return report
    }

    private func checkSummary(_ challenge: ChallengeResult, plan: AttestationPlan, blocks: [MeasurementBlock],
                              algorithms: NegotiatedAlgorithms) throws -> AttestationReport.SummaryCheck {
        guard let hash = algorithms.hash else { return .unchecked("no hash negotiated") }
        guard plan.measurements != .none else { return .unchecked("measurements were not retrieved") }
        let tcb: Set<UInt8>
        if plan.summary == .all {
            tcb = []
        } else if let known = plan.tcbIndices {
            tcb = known
        } else {
            return .unchecked("the requester does not know which measurements form the TCB")
        }
        let expected = MeasurementSummary.hash(blocks: blocks.sorted { $0.index < $1.index }, tcbIndices: tcb, type: plan.summary,
                                               version: algorithms.version, hash: hash)
        guard expected == challenge.measurementSummaryHash else {
            throw RequesterError.measurementSummaryMismatch(type: plan.summary == .all ? "all" : "TCB")
        }
        return .verified
    }
}
