import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// Requester-side mutual authentication back to back with the in-process responder: the requester
/// identity is an RSA-3072 chain signing with RSAPSS-3072, like DMTF's reference requester.
extension SessionPair {
    static let requesterChain = TestChains.rsa3072
    static let requesterAsym = SignatureAlgorithm.rsapss3072

    static func requesterIdentity(slot: UInt8 = 0) -> RequesterCredentials {
        let chain = requesterChain
        do {
            return try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: chain.leafKey,
                                            slotID: slot, algorithm: .classic(requesterAsym))
        } catch {
            fatalError("requester identity: \(error)")
        }
    }

    /// The requester's SPDM chain for SHA-384, as the responder sees it.
    static var requesterSPDMChain: [UInt8] { requesterIdentity().spdmChain(hash: .sha384) }

    /// A pair whose responder asks for mutual authentication in `mode` (trusting `trusted`, with the
    /// requester chain provisioned for mode key_exchange) and whose requester has MUT_AUTH_CAP,
    /// ENCAP_CAP and `identity`.
    static func mutual(mode: MutualAuthSettings.Mode, version: SPDMVersion = .v12, dhe: DHEGroups = .secp384r1,
                       aead: AEADSuites = .aes256GCM, trusted: [Certificate] = [requesterChain.root],
                       identity: RequesterCredentials? = requesterIdentity(), responderExtra: CapabilityFlags = [],
                       requesterExtra: CapabilityFlags = [], requesterMutualAuth: Bool = true) -> SessionPair {
        var requesterFlags = requesterCapabilities.union(requesterExtra)
        if requesterMutualAuth { requesterFlags.formUnion([.mutAuth, .encap]) }
        let pair = SessionPair(version: version, dhe: dhe, aead: aead,
                               responderCapabilities: responderCapabilities.union([.mutAuth, .encap]).union(responderExtra),
                               requesterCapabilities: requesterFlags)
        var device = pair.responder.device
        device.requesterAsymPreference = [requesterAsym]
        device.mutualAuth = MutualAuthSettings(mode: mode, trustedRoots: trusted,
                                               provisionedRequesterChains: [.classic(requesterAsym): requesterChain.certificatesDER])
        pair.responder = ResponderConnection(device: device)
        var configuration = pair.requester.configuration
        configuration.requesterIdentity = identity
        pair.requester = RequesterConnection(configuration: configuration)
        return pair
    }
}

/// One cell: MutAuthRequested mode x version x DHE x AEAD.
struct MutualAuthCase: Sendable, CustomTestStringConvertible {
    var mode: MutualAuthSettings.Mode
    var cell: SessionCase
    var testDescription: String { "\(mode.rawValue) \(cell.testDescription)" }

    static let modes: [MutualAuthSettings.Mode] = [.keyExchange, .encapsulated, .encapsulatedDigests]
    static let all: [MutualAuthCase] = modes.flatMap { mode in SessionCase.all.map { MutualAuthCase(mode: mode, cell: $0) } }
}

@Suite("Requester mutual authentication")
struct RequesterMutualAuthTests {
    @Test("KEY_EXCHANGE with MutAuthRequested 0x01/0x02/0x04, FINISH signed; heartbeat, key update, measurements, END_SESSION",
          arguments: MutualAuthCase.all)
    func sessionMatrix(_ test: MutualAuthCase) throws {
        let pair = SessionPair.mutual(mode: test.mode, version: test.cell.version, dhe: test.cell.dhe, aead: test.cell.aead)
        try pair.connect()
        #expect(pair.requester.negotiated?.requesterAsym == BaseAsymAlgorithms(SessionPair.requesterAsym))
        var session = try pair.keyExchange(summary: .all)
        #expect(session.established)
        #expect(session.mutAuthRequested == MutualAuthSettings(mode: test.mode).keyExchangeRequest)
        #expect(session.mutuallyAuthenticated)
        #expect(!session.handshakeInTheClear)
        let identity = pair.responder.sessions[session.sessionID]?.requesterIdentity
        #expect(identity?.spdmChain == SessionPair.requesterSPDMChain)
        #expect(identity?.slotID == 0)
        try pair.exercise(&session)
    }

    @Test("the encapsulated flow names requester slot 3 in ENCAPSULATED_RESPONSE_ACK; FINISH carries ReqSlotID 3",
          arguments: [MutualAuthSettings.Mode.encapsulated, .encapsulatedDigests], [SPDMVersion.v11, .v13])
    func requesterSlot(_ mode: MutualAuthSettings.Mode, version: SPDMVersion) throws {
        let pair = SessionPair.mutual(mode: mode, version: version, identity: SessionPair.requesterIdentity(slot: 3))
        try pair.connect()
        var session = try pair.keyExchange()
        #expect(session.requesterSlotID == 3)
        #expect(session.mutuallyAuthenticated)
        #expect(pair.responder.sessions[session.sessionID]?.requesterIdentity?.slotID == 3)
        try pair.exercise(&session)
    }

    @Test("an untrusted requester chain is refused: ERROR(InvalidResponseCode) to DELIVER_ENCAPSULATED_RESPONSE, no session",
          arguments: [MutualAuthSettings.Mode.encapsulated, .encapsulatedDigests])
    func untrustedChain(_ mode: MutualAuthSettings.Mode) throws {
        let pair = SessionPair.mutual(mode: mode, trusted: [TestChains.p256.root])
        try pair.connect()
        #expect(throws: RequesterError.errorResponse(request: .deliverEncapsulatedResponse, code: .invalidResponseCode, data: 0)) {
            _ = try pair.keyExchange()
        }
        #expect(pair.responder.sessions.values.allSatisfy { !$0.established })
    }

    @Test("the responder asks for mutual authentication but the requester has no identity -> refused before any encapsulated message")
    func noIdentity() throws {
        let pair = SessionPair.mutual(mode: .encapsulated, identity: nil)
        // ReqBaseAsymAlg offered without an identity to sign with.
        var configuration = pair.requester.configuration
        configuration.requesterBaseAsym = BaseAsymAlgorithms(SessionPair.requesterAsym)
        pair.requester = RequesterConnection(configuration: configuration)
        try pair.connect()
        do {
            _ = try pair.keyExchange()
            Issue.record("session opened without a requester identity")
        } catch RequesterError.sessionRefused(let reason) {
            #expect(reason.contains("no requester identity"))
        }
    }

    @Test("MutAuthRequested 0x01 naming a slot our chain is not in -> refused before FINISH")
    func wrongSlotForFinish() throws {
        let pair = SessionPair.mutual(mode: .keyExchange, identity: SessionPair.requesterIdentity(slot: 2))
        try pair.connect()
        do {
            _ = try pair.keyExchange()
            Issue.record("FINISH signed for the wrong slot")
        } catch RequesterError.sessionRefused(let reason) {
            #expect(reason.contains("slot 0"))
        }
    }

    @Test("without MUT_AUTH_CAP on the requester the responder does not ask; the session is not mutually authenticated")
    func requesterWithoutMutAuthCap() throws {
        let pair = SessionPair.mutual(mode: .encapsulated, requesterMutualAuth: false)
        try pair.connect()
        var session = try pair.keyExchange()
        #expect(session.mutAuthRequested == 0)
        #expect(!session.mutuallyAuthenticated)
        try pair.exercise(&session)
    }

    @Test("basic mutual auth (1.1): CHALLENGE_AUTH BasicMutAuthReq, then encapsulated GET_DIGESTS, GET_CERTIFICATE, CHALLENGE")
    func basic() throws {
        let pair = SessionPair.mutual(mode: .basic, version: .v11)
        try pair.connect()
        guard case .challengeAuth(let result) = try pair.requester.perform(.challenge(slot: 0, summary: .none), exchange: { pair.responder.respond(to: $0) }) else {
            Issue.record("no CHALLENGE_AUTH")
            return
        }
        #expect(result.basicMutualAuthRequested)
        let outcome = try pair.requester.basicMutualAuthentication { pair.responder.respond(to: $0) }
        #expect(outcome.requests.count >= 3)
        #expect(outcome.requests.first == .getDigests)
        #expect(outcome.requests.last == .challenge)
        #expect(Set(outcome.requests) == [.getDigests, .getCertificate, .challenge])
        #expect(pair.responder.requesterIdentity?.spdmChain == SessionPair.requesterSPDMChain)
        // The connection goes on: a session and attestation still work afterwards.
        _ = try pair.requester.perform(.getMeasurements(.all(signed: true))) { pair.responder.respond(to: $0) }
        var session = try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("basic mutual auth with an untrusted requester chain -> ERROR(InvalidResponseCode); the responder keeps no identity")
    func basicUntrusted() throws {
        let pair = SessionPair.mutual(mode: .basic, version: .v11, trusted: [TestChains.p384.root])
        try pair.connect()
        _ = try pair.requester.perform(.challenge(slot: 0, summary: .none)) { pair.responder.respond(to: $0) }
        #expect(throws: RequesterError.errorResponse(request: .deliverEncapsulatedResponse, code: .invalidResponseCode, data: 0)) {
            _ = try pair.requester.basicMutualAuthentication { pair.responder.respond(to: $0) }
        }
        #expect(pair.responder.requesterIdentity == nil)
    }

    @Test("RequesterCredentials refuses a key that is not the leaf's, or does not fit the algorithm")
    func credentialsChecked() {
        let chain = SessionPair.requesterChain
        #expect(throws: RequesterError.self) {
            _ = try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: TestChains.rsa2048.leafKey,
                                         algorithm: .classic(.rsapss2048))
        }
        #expect(throws: RequesterError.self) {
            _ = try RequesterCredentials(certificates: [chain.root, chain.intermediate, chain.leaf], privateKey: chain.leafKey,
                                         algorithm: .classic(.ecdsaP384))
        }
        #expect(throws: RequesterError.self) {
            _ = try RequesterCredentials(certificates: [chain.root, chain.leaf], privateKey: chain.leafKey, slotID: 8,
                                         algorithm: .classic(.rsapss3072))
        }
    }
}
