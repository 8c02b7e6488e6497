import SPDMCore
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// END_SESSION (DSP0274 §10.21) with and without the Negotiated State Clearing Indicator.
@Suite("END_SESSION")
struct EndSessionTests {
    @Test("either attribute ends only that session; the connection's negotiated state serves the next one",
          arguments: [false, true])
    func attributes(_ clear: Bool) throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        var first = try pair.keyExchange(requesterSessionID: 0xFFFF)
        var other = try pair.pskExchange(requesterSessionID: 0xFFFE)
        try pair.requester.endSession(session: &first, clearNegotiatedState: clear) { try pair.deliver($0) }
        #expect(pair.responder.openSessionIDs == [other.sessionID])
        #expect(pair.responder.negotiatedStateClearRequested == clear)
        #expect(pair.responder.state == .negotiated || pair.responder.state == .authenticated)
        // Without a new GET_VERSION (as DMTF's requester does after END_SESSION with the bit set).
        var next = try pair.pskExchange(requesterSessionID: 0xFFFD)
        try pair.exercise(&next)
        try pair.exercise(&other)
        // GET_VERSION starts over and forgets the request.
        _ = try pair.requester.perform(.getVersion) { pair.responder.respond(to: $0) }
        #expect(!pair.responder.negotiatedStateClearRequested)
    }

    @Test("END_SESSION with trailing bytes -> InvalidRequest, the session stays")
    func trailingBytes() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect()
        var session = try pair.keyExchange()
        let reply = try session.exchange([0x12, RequestCode.endSession.rawValue, 0, 0, 0], code: .endSession) { try pair.deliver($0) }
        #expect(reply[1] == ResponseCode.error.rawValue)
        #expect(reply[2] == ErrorCode.invalidRequest.rawValue)
        #expect(pair.responder.openSessionIDs == [session.sessionID])
        try pair.exercise(&session)
    }
}
