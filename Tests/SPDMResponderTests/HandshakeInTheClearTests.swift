import SPDMCore
import SPDMCrypto
@testable import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// HANDSHAKE_IN_THE_CLEAR (DSP0274 §10.15/10.16): when both sides advertise it, KEY_EXCHANGE_RSP
/// carries no ResponderVerifyData, FINISH and FINISH_RSP travel in the clear, and FINISH_RSP
/// carries ResponderVerifyData = HMAC(response finished_key, Hash(TH || FINISH || FINISH_RSP header)).
@Suite("Handshake in the clear (responder)")
struct HandshakeInTheClearTests {
    static func pair(_ version: SPDMVersion, responder: Bool = true, requester: Bool = true) -> SessionPair {
        SessionPair(version: version,
                    responderCapabilities: responder ? SessionPair.responderCapabilities.union(.handshakeInTheClear) : SessionPair.responderCapabilities,
                    requesterCapabilities: requester ? SessionPair.requesterCapabilities.union(.handshakeInTheClear) : SessionPair.requesterCapabilities)
    }

    /// KEY_EXCHANGE -> KEY_EXCHANGE_RSP, checked by the requester; returns the handshaking session.
    static func keyExchange(_ pair: SessionPair) throws -> (session: RequesterSession, responseSize: Int) {
        let (request, state) = try pair.requester.startKeyExchange()
        let response = pair.responder.respond(to: request)
        return (try pair.requester.receiveKeyExchange(response, state: state, channel: pair.channel), response.count)
    }

    @Test("FINISH in the clear -> FINISH_RSP with ResponderVerifyData; the session is then established",
          arguments: [SPDMVersion.v11, .v12, .v13, .v14])
    func goodPath(_ version: SPDMVersion) throws {
        let clear = Self.pair(version)
        try clear.connect()
        let (handshake, clearSize) = try Self.keyExchange(clear)
        let encrypted = Self.pair(version, requester: false)
        try encrypted.connect()
        let (_, encryptedSize) = try Self.keyExchange(encrypted)
        #expect(encryptedSize - clearSize == 48, "KEY_EXCHANGE_RSP drops its 48-byte ResponderVerifyData in the clear")

        var session = handshake
        let finish = try clear.requester.finishRequest(session: &session)
        let response = clear.responder.respond(to: finish)
        #expect(response[1] == ResponseCode.finishRsp.rawValue)
        let headerSize = version >= .v14 ? 6 : 4
        #expect(response.count == headerSize + 48)
        let header = Array(response.prefix(headerSize))
        let expected = session.secrets.verifyData(requestDirection: false, transcriptHash: Digest.hash(.sha384, session.transcript + header))
        #expect(Array(response.suffix(48)) == expected)

        // Both sides derive the data keys from TH2 over the whole FINISH_RSP.
        session.transcript += response
        session.secrets.establish(th2Hash: Digest.hash(.sha384, session.transcript))
        #expect(clear.responder.openSessionIDs == [session.sessionID])
        try clear.exercise(&session)
    }

    @Test("FINISH inside a secured record is refused when the handshake is in the clear")
    func finishInRecordRefused() throws {
        let pair = Self.pair(.v12)
        try pair.connect()
        var (session, _) = try Self.keyExchange(pair)
        let finish = try pair.requester.finishRequest(session: &session)
        let reply = try session.exchange(finish, code: .finish) { try pair.deliver($0) }
        #expect(reply[1] == ResponseCode.error.rawValue)
        #expect(reply[2] == ErrorCode.unexpectedRequest.rawValue)
        #expect(pair.responder.openSessionIDs == [session.sessionID], "the handshake may still finish in the clear")
    }

    @Test("a FINISH in the clear whose verify data does not verify -> DecryptError, and the session is gone")
    func badVerifyData() throws {
        let pair = Self.pair(.v13)
        try pair.connect()
        var (session, _) = try Self.keyExchange(pair)
        var finish = try pair.requester.finishRequest(session: &session)
        finish[finish.count - 1] ^= 0x01
        let response = pair.responder.respond(to: finish)
        #expect(response[1] == ResponseCode.error.rawValue)
        #expect(response[2] == ErrorCode.decryptError.rawValue)
        #expect(pair.responder.openSessionIDs.isEmpty)
        // The same FINISH again has no session to belong to.
        let again = pair.responder.respond(to: finish)
        #expect(again[2] == ErrorCode.sessionRequired.rawValue)
    }

    @Test("only one side offering it keeps the handshake encrypted", arguments: [true, false])
    func oneSided(_ responderOffers: Bool) throws {
        let pair = Self.pair(.v13, responder: responderOffers, requester: !responderOffers)
        try pair.connect()
        var session = try pair.keyExchange()
        #expect(session.established)
        try pair.exercise(&session)
        // A FINISH in the clear is a session-only request outside a session.
        let refused = pair.responder.respond(to: [0x13, 0xE5, 0, 0] + Array(repeating: 0, count: 48))
        #expect(refused[2] == ErrorCode.sessionRequired.rawValue)
    }
}
