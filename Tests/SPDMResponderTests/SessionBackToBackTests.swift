import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// A responder and a requester wired back to back, with the session plumbing of an MCTP (or
/// PCI-DOE) connection: plain messages through `respond(to:)`, secured records through
/// `handleSecured`.
final class SessionPair {
    static let pskHint = Array("TestPskHint".utf8) + [0]
    static let pskKey = Array("TestPskData".utf8) + [0]
    static let responderCapabilities: CapabilityFlags = [.cert, .chal, .measWithSignature, .encrypt, .mac, .keyEx, .pskWithContext,
                                                         .heartbeat, .keyUpdate]
    static let requesterCapabilities: CapabilityFlags = [.cert, .chal, .encrypt, .mac, .keyEx, .pskWithoutContext, .heartbeat, .keyUpdate]

    var responder: ResponderConnection
    var requester: RequesterConnection
    var channel: SecuredChannel
    var chain: TestChain

    init(version: SPDMVersion = .v12, dhe: DHEGroups = .secp384r1, aead: AEADSuites = .aes256GCM,
         responderCapabilities: CapabilityFlags = SessionPair.responderCapabilities,
         requesterCapabilities: CapabilityFlags = SessionPair.requesterCapabilities,
         maxSessions: Int = 4, channel: SecuredChannel = .mctp, responderRandom: UInt8? = nil, device given: ResponderDevice? = nil) {
        chain = TestChains.p384
        var device = given ?? Fixtures.device(asym: .ecdsaP384, hash: .sha384, versions: [version], capabilities: responderCapabilities)
        if given == nil {
            device.dhePreference = [dhe]
            device.aeadPreference = [aead]
        }
        device.sessionSettings.psks = [.init(hint: Self.pskHint, key: Self.pskKey)]
        device.sessionSettings.maxSessions = maxSessions
        device.sessionSettings.heartbeatPeriod = 5
        if let responderRandom {
            responder = ResponderConnection(device: device, random: FixedRandom(byte: responderRandom))
        } else {
            responder = ResponderConnection(device: device)
        }
        let configuration = RequesterConfiguration(
            forcedVersion: version, capabilities: requesterCapabilities, dhe: DHEGroups(rawValue: 0x3F),
            aead: AEADSuites(rawValue: 0x07), keySchedule: .spdm, trustedRoots: [chain.root])
        requester = RequesterConnection(configuration: configuration)
        self.channel = channel
    }

    /// VCA, GET_DIGESTS and GET_CERTIFICATE (the chain KEY_EXCHANGE_RSP is verified with).
    func connect(certificate: Bool = true) throws {
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation) { responder.respond(to: $0) }
        }
        if certificate {
            _ = try requester.perform(.getDigests) { responder.respond(to: $0) }
            _ = try requester.perform(.getCertificate(slot: 0)) { responder.respond(to: $0) }
        }
    }

    func deliver(_ record: [UInt8]) throws -> SecuredReply {
        let outcome = responder.handleSecured(record, format: channel.format, mctpTyped: channel.mctpTyped)
        if let sealed = outcome.record { return .secured(sealed) }
        if let plain = outcome.plainResponse { return .plain(plain) }
        throw RequesterError.securedMessage("no reply (\(outcome.dropped ?? "-"))")
    }

    func keyExchange(summary: MeasurementSummaryHashType = .none, requesterSessionID: UInt16 = 0xFFFF) throws -> RequesterSession {
        try requester.keyExchange(summary: summary, requesterSessionID: requesterSessionID, channel: channel,
                                  exchange: { responder.respond(to: $0) }, secured: { try deliver($0) })
    }

    func pskExchange(hint: [UInt8] = SessionPair.pskHint, psk: [UInt8] = SessionPair.pskKey,
                              requesterSessionID: UInt16 = 0xFFFF) throws -> RequesterSession {
        try requester.pskExchange(hint: hint, psk: psk, requesterSessionID: requesterSessionID, channel: channel,
                                  exchange: { responder.respond(to: $0) }, secured: { try deliver($0) })
    }

    /// HEARTBEAT, KEY_UPDATE (UpdateKey + VerifyNewKey, UpdateAllKeys + VerifyNewKey), signed
    /// measurements in the session, END_SESSION.
    func exercise(_ session: inout RequesterSession) throws {
        try requester.heartbeat(session: &session) { try deliver($0) }
        try requester.updateKeys(all: false, session: &session) { try deliver($0) }
        try requester.heartbeat(session: &session) { try deliver($0) }
        try requester.updateKeys(all: true, session: &session) { try deliver($0) }
        let measurements = try requester.getMeasurements(.all(signed: true), session: &session) { try deliver($0) }
        #expect(measurements.signatureVerified)
        #expect(measurements.blocks.map(\.index) == [1, 2, 3, 4])
        let openBefore = responder.openSessionIDs
        #expect(openBefore.contains(session.sessionID))
        try requester.endSession(session: &session) { try deliver($0) }
        #expect(!responder.openSessionIDs.contains(session.sessionID))
        #expect(session.ended)
    }
}

/// One cell: version x DHE x AEAD.
struct SessionCase: Sendable, CustomTestStringConvertible {
    var version: SPDMVersion
    var dhe: DHEGroups
    var aead: AEADSuites
    var testDescription: String { "\(version) dhe 0x\(String(dhe.rawValue, radix: 16)) aead 0x\(String(aead.rawValue, radix: 16))" }

    static let groups: [DHEGroups] = [.ffdhe2048, .ffdhe3072, .ffdhe4096, .secp256r1, .secp384r1, .secp521r1]
    static let suites: [AEADSuites] = [.aes128GCM, .aes256GCM, .chacha20Poly1305]
    static let versions: [SPDMVersion] = [.v11, .v12, .v13, .v14]
    static let all: [SessionCase] = versions.flatMap { version in
        groups.flatMap { dhe in suites.map { SessionCase(version: version, dhe: dhe, aead: $0) } }
    }
}

@Suite("Sessions back to back")
struct SessionBackToBackTests {
    @Test("KEY_EXCHANGE/FINISH, heartbeat, key update, measurements, END_SESSION", arguments: SessionCase.all)
    func keyExchangeMatrix(_ cell: SessionCase) throws {
        let pair = SessionPair(version: cell.version, dhe: cell.dhe, aead: cell.aead)
        try pair.connect()
        #expect(pair.requester.negotiated?.dhe == cell.dhe)
        #expect(pair.requester.negotiated?.aead == cell.aead)
        var session = try pair.keyExchange(summary: .all)
        #expect(session.established)
        #expect(session.encrypts)
        #expect(!session.usesPSK)
        #expect(session.measurementSummaryHash.count == 48)
        #expect(session.heartbeatPeriod == 5)
        #expect(session.securedMessageVersion != nil)
        #expect(pair.responder.openSessionIDs == [session.sessionID])
        try pair.exercise(&session)
    }

    @Test("PSK_EXCHANGE (+ PSK_FINISH), heartbeat, key update, measurements, END_SESSION",
          arguments: SessionCase.all.filter { $0.dhe == .secp256r1 }, [true, false])
    func pskMatrix(_ cell: SessionCase, withContext: Bool) throws {
        var capabilities = SessionPair.responderCapabilities.subtracting(.pskAny)
        capabilities.insert(withContext ? .pskWithContext : .pskWithoutContext)
        let pair = SessionPair(version: cell.version, dhe: cell.dhe, aead: cell.aead, responderCapabilities: capabilities)
        try pair.connect()
        var session = try pair.pskExchange()
        #expect(session.established)
        #expect(session.usesPSK)
        try pair.exercise(&session)
    }

    @Test("MAC-only sessions (no ENCRYPT_CAP on the requester)", arguments: [SPDMVersion.v11, .v12, .v13], [false, true])
    func macOnly(_ version: SPDMVersion, psk: Bool) throws {
        let pair = SessionPair(version: version, requesterCapabilities: SessionPair.requesterCapabilities.subtracting(.encrypt))
        try pair.connect()
        var session = psk ? try pair.pskExchange() : try pair.keyExchange()
        #expect(!session.encrypts)
        try pair.exercise(&session)
    }

    @Test("sessions over PCI-DOE framing (no sequence number, no padding)", arguments: [false, true])
    func pciDOE(_ psk: Bool) throws {
        let pair = SessionPair(version: .v13, channel: .pciDOE)
        try pair.connect()
        var session = psk ? try pair.pskExchange() : try pair.keyExchange()
        try pair.exercise(&session)
    }

    @Test("several sessions open at once on one connection, interleaved")
    func several() throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        var a = try pair.keyExchange(requesterSessionID: 0xFFFF)
        var b = try pair.pskExchange(requesterSessionID: 0xFFFE)
        var c = try pair.keyExchange(requesterSessionID: 0xFFFD)
        #expect(Set([a.sessionID, b.sessionID, c.sessionID]).count == 3)
        #expect(pair.responder.openSessionIDs.count == 3)
        try pair.requester.heartbeat(session: &b) { try pair.deliver($0) }
        try pair.requester.updateKeys(all: true, session: &a) { try pair.deliver($0) }
        try pair.requester.heartbeat(session: &c) { try pair.deliver($0) }
        _ = try pair.requester.getMeasurements(.all(signed: true), session: &b) { try pair.deliver($0) }
        try pair.requester.updateKeys(all: false, session: &c) { try pair.deliver($0) }
        try pair.exercise(&a)
        try pair.exercise(&c)
        try pair.exercise(&b)
        #expect(pair.responder.openSessionIDs.isEmpty)
    }

    @Test("attestation outside the session still works around a session")
    func attestationAround() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect()
        var session = try pair.keyExchange()
        _ = try pair.requester.perform(.challenge(slot: 0, summary: .none)) { pair.responder.respond(to: $0) }
        _ = try pair.requester.perform(.getMeasurements(.all(signed: true))) { pair.responder.respond(to: $0) }
        try pair.exercise(&session)
    }
}
