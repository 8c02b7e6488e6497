import SPDMCore
import SPDMCrypto
@testable import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// Raw public keys (PUB_KEY_ID_CAP, SlotID 0xFF): a device with a key and no certificate, back to back
/// with the requester holding its public key (Provisioning/RawPublicKey.swift).
@Suite("Raw public keys")
struct RawPublicKeyTests {
    static let capabilities: CapabilityFlags = [.chal, .measWithSignature, .encrypt, .mac, .keyEx, .pubKeyID, .heartbeat, .keyUpdate]
    static let key = try! PrivateKey.generate(.ecdsaP384)

    static func pair(_ version: SPDMVersion = .v13, provisioned: PublicKey? = key.publicKey) throws -> SessionPair {
        var device = ResponderDevice(name: "raw", versions: [version], capabilities: capabilities, hashPreference: [.sha384],
                                     asymPreference: [.ecdsaP384], dhePreference: [.secp384r1], aeadPreference: [.aes256GCM],
                                     slots: [], measurements: Fixtures.measurements)
        device.rawPublicKeyIdentity = key
        let pair = SessionPair(version: version, device: device)
        try pair.connect(certificate: false)
        if let provisioned { pair.requester.provisionResponderPublicKey(provisioned) }
        return pair
    }

    @Test("CHALLENGE, signed measurements and KEY_EXCHANGE with SlotID 0xFF verify against the provisioned key",
          arguments: [SPDMVersion.v12, .v13, .v14])
    func goodPath(_ version: SPDMVersion) throws {
        let pair = try Self.pair(version)
        let challenge = try pair.requester.perform(.challenge(slot: 0xFF, summary: .none)) { pair.responder.respond(to: $0) }
        guard case .challengeAuth(let result) = challenge else { Issue.record("no CHALLENGE_AUTH"); return }
        #expect(result.slotMask == 0)
        #expect(result.certChainHash == Digest.hash(.sha384, Self.key.publicKey.subjectPublicKeyInfoDER))
        let measurements = try pair.requester.perform(.getMeasurements(.all(signed: true, slot: 0xFF))) { pair.responder.respond(to: $0) }
        guard case .measurements(let signed) = measurements else { Issue.record("no MEASUREMENTS"); return }
        #expect(signed.signatureVerified)
        var session = try pair.requester.keyExchange(slot: 0xFF, requesterSessionID: 0xFFFF, channel: pair.channel,
                                                     exchange: { pair.responder.respond(to: $0) }, secured: { try pair.deliver($0) })
        try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        let inSession = try pair.requester.getMeasurements(.all(signed: true, slot: 0xFF), session: &session) { try pair.deliver($0) }
        #expect(inSession.signatureVerified)
        try pair.requester.endSession(session: &session) { try pair.deliver($0) }
    }

    @Test("another key does not verify; a certificate slot or 0xFF on a device without the capability is InvalidRequest")
    func refusals() throws {
        let other = try PrivateKey.generate(.ecdsaP384)
        let pair = try Self.pair(provisioned: other.publicKey)
        #expect(throws: RequesterError.self) {
            _ = try pair.requester.perform(.challenge(slot: 0xFF, summary: .none)) { pair.responder.respond(to: $0) }
        }
        let challengeSlot0 = ChallengeRequest(version: .v13, slotID: 0, summaryHashType: .none, nonce: [UInt8](repeating: 1, count: 32),
                                              requesterContext: [UInt8](repeating: 2, count: 8))
        #expect(pair.responder.respond(to: challengeSlot0.encoded(context: .unnegotiated(.v13)))[1] == ResponseCode.error.rawValue)
        let plain = SessionPair(version: .v13)
        try plain.connect()
        let challenge0xFF = ChallengeRequest(version: .v13, slotID: 0xFF, summaryHashType: .none, nonce: [UInt8](repeating: 1, count: 32),
                                             requesterContext: [UInt8](repeating: 2, count: 8))
        #expect(plain.responder.respond(to: challenge0xFF.encoded(context: .unnegotiated(.v13))) == Fixtures.errorBytes(.v13, .invalidRequest))
    }

    @Test("mutual authentication with raw public keys both ways: ReqSlotIDParam 0xF, FINISH signed with ReqSlotID 0xFF; another requester key is refused",
          arguments: [false, true])
    func mutualAuthentication(_ wrongKey: Bool) throws {
        let requesterKey = try PrivateKey.generate(.ecdsaP384)
        var device = ResponderDevice(name: "raw", versions: [.v13], capabilities: Self.capabilities.union(.mutAuth), hashPreference: [.sha384],
                                     asymPreference: [.ecdsaP384], dhePreference: [.secp384r1], aeadPreference: [.aes256GCM],
                                     requesterAsymPreference: [.ecdsaP384], slots: [], measurements: Fixtures.measurements)
        device.rawPublicKeyIdentity = Self.key
        device.mutualAuth = MutualAuthSettings(mode: .keyExchange)
        device.mutualAuth.requesterPublicKey = wrongKey ? try PrivateKey.generate(.ecdsaP384).publicKey : requesterKey.publicKey
        let pair = SessionPair(version: .v13, device: device)
        pair.requester = RequesterConnection(configuration: RequesterConfiguration(
            forcedVersion: .v13, capabilities: [.pubKeyID, .chal, .encrypt, .mac, .keyEx, .mutAuth, .heartbeat],
            dhe: .secp384r1, aead: .aes256GCM, keySchedule: .spdm,
            requesterIdentity: try RequesterCredentials.rawPublicKey(requesterKey, algorithm: .classic(.ecdsaP384))))
        try pair.connect(certificate: false)
        pair.requester.provisionResponderPublicKey(Self.key.publicKey)
        let open = { try pair.requester.keyExchange(slot: 0xFF, requesterSessionID: 0xFFFF, channel: pair.channel,
                                                    exchange: { pair.responder.respond(to: $0) }, secured: { try pair.deliver($0) }) }
        if wrongKey {
            #expect(throws: RequesterError.self) { _ = try open() }
            return
        }
        var session = try open()
        #expect(session.mutuallyAuthenticated)
        #expect(session.requesterSlotID == 0xFF)
        try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        try pair.requester.endSession(session: &session) { try pair.deliver($0) }
    }
}
