import SPDMCore
import SPDMCrypto
import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// HANDSHAKE_IN_THE_CLEAR driven by the requester library (Operations/KeyExchange.swift): with both
/// sides advertising it, FINISH (and the encapsulated mutual-auth flow before it) go as plain
/// messages and the requester checks FINISH_RSP's ResponderVerifyData; with one side only, the
/// handshake stays encrypted.
@Suite("Requester handshake in the clear")
struct RequesterHandshakeInTheClearTests {
    static let modes: [MutualAuthSettings.Mode] = [.none, .keyExchange, .encapsulated, .encapsulatedDigests]

    static func pair(_ mode: MutualAuthSettings.Mode, version: SPDMVersion, responder: Bool = true, requester: Bool = true) -> SessionPair {
        SessionPair.mutual(mode: mode, version: version, responderExtra: responder ? .handshakeInTheClear : [],
                           requesterExtra: requester ? .handshakeInTheClear : [])
    }

    /// keyExchange, counting the secured records sent before the session is established.
    static func keyExchange(_ pair: SessionPair) throws -> (session: RequesterSession, handshakeRecords: Int) {
        var records = 0
        let session = try pair.requester.keyExchange(channel: pair.channel, exchange: { pair.responder.respond(to: $0) }, secured: {
            records += 1
            return try pair.deliver($0)
        })
        return (session, records)
    }

    @Test("both sides advertise it: no secured record before FINISH_RSP; with and without mutual authentication",
          arguments: modes, [SPDMVersion.v11, .v12, .v13, .v14])
    func inTheClear(_ mode: MutualAuthSettings.Mode, version: SPDMVersion) throws {
        let pair = Self.pair(mode, version: version)
        try pair.connect()
        var (session, records) = try Self.keyExchange(pair)
        #expect(records == 0)
        #expect(session.handshakeInTheClear)
        #expect(session.established)
        #expect(session.mutuallyAuthenticated == (mode != .none))
        #expect(session.mutAuthRequested == MutualAuthSettings(mode: mode).keyExchangeRequest)
        if mode != .none {
            #expect(pair.responder.sessions[session.sessionID]?.requesterIdentity?.spdmChain == SessionPair.requesterSPDMChain)
        }
        try pair.exercise(&session)
    }

    @Test("only one side advertises it: the handshake is encrypted as usual", arguments: [true, false],
          [MutualAuthSettings.Mode.none, .encapsulated])
    func oneSided(_ responderOffers: Bool, mode: MutualAuthSettings.Mode) throws {
        let pair = Self.pair(mode, version: .v13, responder: responderOffers, requester: !responderOffers)
        try pair.connect()
        var (session, records) = try Self.keyExchange(pair)
        #expect(!session.handshakeInTheClear)
        // FINISH; with mutual auth also GET_ENCAPSULATED_REQUEST and each DELIVER_ENCAPSULATED_RESPONSE.
        if mode == .none { #expect(records == 1) } else { #expect(records >= 4) }
        #expect(session.mutuallyAuthenticated == (mode != .none))
        try pair.exercise(&session)
    }

    @Test("a FINISH_RSP whose ResponderVerifyData does not verify is refused", arguments: [SPDMVersion.v12, .v14])
    func badResponderVerifyData(_ version: SPDMVersion) throws {
        let pair = Self.pair(.none, version: version)
        try pair.connect()
        let (request, state) = try pair.requester.startKeyExchange()
        var session = try pair.requester.receiveKeyExchange(pair.responder.respond(to: request), state: state, channel: pair.channel)
        let finish = try pair.requester.finishRequest(session: &session)
        var response = pair.responder.respond(to: finish)
        #expect(response[1] == ResponseCode.finishRsp.rawValue)
        response[response.count - 1] ^= 0x80
        #expect(throws: RequesterError.verifyDataMismatch(request: .finish)) {
            try pair.requester.receiveFinish(response, session: &session)
        }
        #expect(!session.established)
    }

    @Test("a FINISH_RSP without its ResponderVerifyData is malformed")
    func missingResponderVerifyData() throws {
        let pair = Self.pair(.none, version: .v12)
        try pair.connect()
        let (request, state) = try pair.requester.startKeyExchange()
        var session = try pair.requester.receiveKeyExchange(pair.responder.respond(to: request), state: state, channel: pair.channel)
        _ = try pair.requester.finishRequest(session: &session)
        #expect(throws: RequesterError.self) {
            try pair.requester.receiveFinish([0x12, ResponseCode.finishRsp.rawValue, 0, 0], session: &session)
        }
        #expect(!session.established)
    }
}
