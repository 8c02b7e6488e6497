import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// Secured records the responder must not accept: replayed, reordered, unknown session id, bad MAC,
/// a session ended by GET_VERSION.
@Suite("Secured record handling")
struct SessionRecordTests {
    static func heartbeat(_ version: SPDMVersion) -> [UInt8] { [version.rawValue, RequestCode.heartbeat.rawValue, 0, 0] }
    static let ack: UInt8 = ResponseCode.heartbeatAck.rawValue

    @Test("a replayed record is dropped with ERROR(DecryptError) in the clear; the session goes on", arguments: [false, true])
    func replay(_ psk: Bool) throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        var session = psk ? try pair.pskExchange() : try pair.keyExchange()
        let record = try session.seal(Self.heartbeat(.v13))
        guard case .secured(let reply) = try pair.deliver(record) else { Issue.record("no secured reply"); return }
        #expect(try session.open(reply)[1] == Self.ack)
        let dropped = pair.responder.droppedSecuredRecords
        #expect(try pair.deliver(record) == .plain(Fixtures.errorBytes(.v13, .decryptError)))
        #expect(pair.responder.droppedSecuredRecords == dropped + 1)
        #expect(pair.responder.openSessionIDs == [session.sessionID])
        // Nothing advanced: the next record in sequence is accepted.
        try pair.exercise(&session)
    }

    @Test("a reordered record is dropped; the expected one, then the held-back one, are accepted")
    func reorder() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect()
        var session = try pair.keyExchange()
        let first = try session.seal(Self.heartbeat(.v12))
        let second = try session.seal(Self.heartbeat(.v12))
        #expect(try pair.deliver(second) == .plain(Fixtures.errorBytes(.v12, .decryptError)))
        for record in [first, second] {
            guard case .secured(let reply) = try pair.deliver(record) else { Issue.record("no secured reply"); return }
            #expect(try session.open(reply)[1] == Self.ack)
        }
        #expect(pair.responder.droppedSecuredRecords == 1)
        try pair.exercise(&session)
    }

    @Test("a record whose MAC does not verify is dropped and counted; the session is untouched",
          arguments: [true, false])
    func badMAC(_ encrypt: Bool) throws {
        let capabilities = encrypt ? SessionPair.requesterCapabilities : SessionPair.requesterCapabilities.subtracting(.encrypt)
        let pair = SessionPair(version: .v13, requesterCapabilities: capabilities)
        try pair.connect()
        var session = try pair.keyExchange()
        var copy = session
        var record = try copy.seal(Self.heartbeat(.v13))
        for index in [record.count - 1, 8, 10] {  // the tag, the sealed body, the body again
            var tampered = record
            tampered[index] ^= 0x80
            #expect(try pair.deliver(tampered) == .plain(Fixtures.errorBytes(.v13, .decryptError)))
        }
        // A changed header (the Length, covered as AAD) does not verify either.
        record[6] ^= 0x00
        #expect(pair.responder.droppedSecuredRecords == 3)
        #expect(pair.responder.openSessionIDs == [session.sessionID])
        try pair.exercise(&session)
    }

    @Test("a record for an unknown session id is refused with ERROR(DecryptError) in the clear")
    func unknownSession() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect()
        var session = try pair.keyExchange()
        var record = try session.seal(Self.heartbeat(.v12))
        record[0] ^= 0x55
        #expect(try pair.deliver(record) == .plain(Fixtures.errorBytes(.v12, .decryptError)))
        #expect(pair.responder.droppedSecuredRecords == 1)
        // The real session never saw it: its sequence number 0 record is still missing, so re-seal.
        var fresh = try pair.keyExchange(requesterSessionID: 0x1234)
        try pair.exercise(&fresh)
    }

    @Test("GET_VERSION ends every session: a record for an old session id is refused afterwards")
    func getVersionEndsSessions() throws {
        let pair = SessionPair(version: .v13)
        try pair.connect()
        var a = try pair.keyExchange(requesterSessionID: 1)
        var b = try pair.pskExchange(requesterSessionID: 2)
        #expect(pair.responder.openSessionIDs.count == 2)
        _ = try pair.requester.perform(.getVersion) { pair.responder.respond(to: $0) }
        #expect(pair.responder.openSessionIDs.isEmpty)
        // No version is negotiated right after VERSION, so the ERROR is a 1.0 one.
        for record in [try a.seal(Self.heartbeat(.v13)), try b.seal(Self.heartbeat(.v13))] {
            #expect(try pair.deliver(record) == .plain(Fixtures.errorBytes(.v10, .decryptError)))
        }
        _ = try pair.requester.perform(.getCapabilities) { pair.responder.respond(to: $0) }
        _ = try pair.requester.perform(.negotiateAlgorithms) { pair.responder.respond(to: $0) }
        #expect(pair.responder.droppedSecuredRecords == 2)
        #expect(throws: RequesterError.errorResponse(request: .heartbeat, code: .decryptError, data: 0)) {
            try pair.requester.heartbeat(session: &a) { try pair.deliver($0) }
        }
    }

    @Test("a session-only request in the clear, and after END_SESSION")
    func afterEnd() throws {
        let pair = SessionPair(version: .v12)
        try pair.connect()
        #expect(pair.responder.respond(to: Self.heartbeat(.v12)) == Fixtures.errorBytes(.v12, .sessionRequired))
        var session = try pair.keyExchange()
        try pair.requester.endSession(session: &session) { try pair.deliver($0) }
        #expect(throws: RequesterError.invalidState("HEARTBEAT needs an established session")) {
            try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        }
    }
}
