import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// SPDM 1.4 post-quantum devices and the requester back to back (no sockets): ML-DSA signatures in
/// CHALLENGE_AUTH, MEASUREMENTS, KEY_EXCHANGE_RSP and FINISH, KEY_EXCHANGE with ML-KEM. Every request
/// that crosses is logged by code, with the biggest message each side sent, so chunking shows.
final class PQCPair: LoggedPair {
    static let responderCapabilities: CapabilityFlags = [.cert, .chal, .measWithSignature, .encrypt, .mac, .keyEx, .heartbeat, .keyUpdate]
    static let requesterCapabilities: CapabilityFlags = [.cert, .chal, .encrypt, .mac, .keyEx, .heartbeat, .keyUpdate]

    init(device: ResponderDevice, configuration: RequesterConfiguration) {
        super.init(responder: ResponderConnection(device: device), requester: RequesterConnection(configuration: configuration),
                   channel: .mctp)
    }

    /// A 1.4 device signing with `pqc` (slot 0 holds `chain`) and encapsulating with `kem`; each side's
    /// DataTransferSize is `transferSize`, and with `chunk` both have CHUNK_CAP and a 64 KiB MaxSPDMmsgSize.
    static func device(pqc: PQCSignatureAlgorithm, kem: KEMAlgorithm, chain: TestChain, transferSize: UInt32, chunk: Bool,
                       capabilities: CapabilityFlags = responderCapabilities) -> ResponderDevice {
        var device = ResponderDevice(name: "pqc-\(pqc.rawValue)", versions: [.v12, .v13, .v14],
                                     capabilities: chunk ? capabilities.union(.chunk) : capabilities,
                                     dataTransferSize: transferSize, maxSPDMMessageSize: chunk ? 65_536 : transferSize,
                                     hashPreference: [.sha384], asymPreference: [], aeadPreference: [.aes256GCM],
                                     slots: [chain.slot()], measurements: Fixtures.measurements)
        device.pqcAsymPreference = [pqc]
        device.kemPreference = [kem]
        device.pqcFirst = true
        device.sessionSettings.heartbeatPeriod = 5
        return device
    }

    /// A requester offering every classic and PQC algorithm it has (as DMTF's reference requester does by default).
    static func configuration(roots: [Certificate], version: SPDMVersion? = .v14, transferSize: UInt32, chunk: Bool,
                              capabilities: CapabilityFlags = requesterCapabilities) -> RequesterConfiguration {
        var configuration = RequesterConfiguration(
            forcedVersion: version, capabilities: chunk ? capabilities.union(.chunk) : capabilities,
            dataTransferSize: transferSize, maxSPDMMessageSize: chunk ? 65_536 : transferSize,
            dhe: DHEGroups(rawValue: 0x3F), aead: .aes256GCM, keySchedule: .spdm, trustedRoots: roots)
        configuration.pqcAsym = RequesterConfiguration.allPQCAsym
        configuration.kem = RequesterConfiguration.allKEM
        return configuration
    }

    /// VCA, DIGESTS, CERTIFICATE of `slot`, CHALLENGE with the summary of all measurements, signed MEASUREMENTS.
    func attest(slot: UInt8 = 0) throws -> AttestationReport {
        try requester.attest(AttestationPlan(slot: slot, summary: .all, measurements: .all)) { self.plain($0) }
    }

    func keyExchange(slot: UInt8 = 0) throws -> RequesterSession {
        try requester.keyExchange(slot: slot, summary: .all, channel: channel, exchange: { self.plain($0) }, secured: { try self.secured($0) })
    }

    /// In the session: HEARTBEAT, both key updates, MEASUREMENTS signed with `slot`'s key, END_SESSION.
    func exercise(_ session: inout RequesterSession, slot: UInt8 = 0) throws {
        try requester.heartbeat(session: &session) { try self.secured($0) }
        try requester.updateKeys(all: false, session: &session) { try self.secured($0) }
        try requester.updateKeys(all: true, session: &session) { try self.secured($0) }
        let measurements = try requester.getMeasurements(.all(signed: true, slot: slot), session: &session) { try self.secured($0) }
        #expect(measurements.signatureVerified)
        #expect(measurements.blocks.map(\.index) == [1, 2, 3, 4])
        try requester.endSession(session: &session) { try self.secured($0) }
        #expect(!responder.openSessionIDs.contains(session.sessionID))
    }
}

@Suite("SPDM 1.4 post-quantum back to back")
struct PQCBackToBackTests {
    @Test("ML-DSA-65 + ML-KEM-768 at 1.4: DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS, KEY_EXCHANGE/FINISH, secured messages, unchunked in 4608 bytes")
    func mlDsa65MlKem768() throws {
        let chain = TestChains.mlDsa65
        // 4608: spdm-emu's PQC DataTransferSize; KEY_EXCHANGE_RSP (ML-KEM-768 ciphertext + ML-DSA-65 signature) fits it.
        let pair = PQCPair(device: PQCPair.device(pqc: .mlDsa65, kem: .mlKem768, chain: chain, transferSize: 4608, chunk: false),
                           configuration: PQCPair.configuration(roots: [chain.root], transferSize: 4608, chunk: false))
        let report = try pair.attest()
        #expect(report.version == .v14)
        #expect(report.algorithms.pqcAsym == .mlDsa65)
        #expect(report.algorithms.asym == nil)
        #expect(report.algorithms.signing == .pqc(.mlDsa65))
        #expect(report.digests[0] == Digest.hash(.sha384, report.chain?.spdmChain ?? []))
        #expect(report.chain?.anchored == true)
        #expect(report.chain?.certificates.last?.der == chain.leaf.der)
        #expect(report.challenge != nil)
        #expect(report.measurementsSigned)
        #expect(report.summaryCheck == .verified)
        #expect(report.measurements.map(\.index) == [1, 2, 3, 4])

        #expect(pair.requester.negotiated?.kem == .mlKem768)
        #expect(pair.requester.negotiated?.dhe == [])
        var session = try pair.keyExchange()
        #expect(session.established)
        try pair.exercise(&session)
        #expect(!pair.requests.contains(.chunkGet))
        #expect(pair.largestResponse > 4096 && pair.largestResponse <= 4608)
        // The responder's own record of the connection agrees.
        #expect(pair.responder.negotiated?.pqcAsym == .mlDsa65)
        #expect(pair.responder.negotiated?.kem == .mlKem768)
    }

    @Test("ML-DSA-87 + ML-KEM-1024 at 1.4: responses over 4096 bytes travel in CHUNK_GET, in the clear and in the session")
    func mlDsa87MlKem1024Chunked() throws {
        let chain = TestChains.mlDsa87
        let pair = PQCPair(device: PQCPair.device(pqc: .mlDsa87, kem: .mlKem1024, chain: chain, transferSize: 4096, chunk: true),
                           configuration: PQCPair.configuration(roots: [chain.root], transferSize: 4096, chunk: true))
        let report = try pair.attest()
        #expect(report.algorithms.signing == .pqc(.mlDsa87))
        #expect(report.challenge != nil)
        #expect(report.measurementsSigned)
        #expect(pair.requests.contains(.chunkGet))  // CHALLENGE_AUTH and MEASUREMENTS carry a 4627-byte signature
        var session = try pair.keyExchange()
        #expect(pair.requester.negotiated?.kem == .mlKem1024)
        #expect(session.established)
        try pair.exercise(&session)
        #expect(pair.largestRequest <= 4096)
        #expect(pair.largestResponse <= 4096)
        #expect(pair.requests.filter { $0 == .chunkGet }.count >= 6)
    }

    @Test("ML-DSA-87 without CHUNK_CAP and a 4096-byte DataTransferSize: CHALLENGE_AUTH (4769 bytes) gets ERROR(ResponseTooLarge)")
    func mlDsa87WithoutChunking() throws {
        let chain = TestChains.mlDsa87
        let pair = PQCPair(device: PQCPair.device(pqc: .mlDsa87, kem: .mlKem1024, chain: chain, transferSize: 4096, chunk: false),
                           configuration: PQCPair.configuration(roots: [chain.root], transferSize: 4096, chunk: false))
        #expect(throws: RequesterError.errorResponse(request: .challenge, code: .responseTooLarge, data: 0)) { _ = try pair.attest() }
    }
}
