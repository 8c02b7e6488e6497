import SPDMCore
import SPDMCrypto
@testable import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// The responder-initiated KEY_UPDATE driven by the requester library
/// (`processEncapsulatedRequests`, Operations/EncapsulatedFlow.swift) back to back with the
/// responder armed by `startEncapsulatedKeyUpdate` (what OOB_ENCAP_KEY_UPDATE does).
@Suite("Requester: responder-initiated key update")
struct RequesterEncapsulatedKeyUpdateTests {
    static func established(_ version: SPDMVersion, channel: SecuredChannel = .mctp, psk: Bool = false) throws -> (SessionPair, RequesterSession) {
        let pair = SessionPair(version: version, responderCapabilities: SessionPair.responderCapabilities.union(.encap),
                               requesterCapabilities: SessionPair.requesterCapabilities.union(.encap), channel: channel)
        try pair.connect()
        let session = psk ? try pair.pskExchange() : try pair.keyExchange()
        return (pair, session)
    }

    @Test("UpdateKey then VerifyNewKey through the encapsulated flow; heartbeat, measurements and END_SESSION under the new keys",
          arguments: [SPDMVersion.v11, .v12, .v13, .v14], [false, true])
    func goodPath(_ version: SPDMVersion, psk: Bool) throws {
        var (pair, session) = try Self.established(version, psk: psk)
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID)
        #expect(armed)
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.requests == [.keyUpdate, .keyUpdate])
        #expect(!outcome.nothingPending)
        #expect(!session.encapsulatedKeyUpdatePending)
        try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        let measurements = try pair.requester.getMeasurements(.all(signed: true), session: &session) { try pair.deliver($0) }
        #expect(measurements.signatureVerified)
        #expect(pair.responder.droppedSecuredRecords == 0)
        try pair.exercise(&session)
    }

    @Test("several responder-initiated key updates in a row, mixed with requester-initiated ones, over PCI-DOE too",
          arguments: [SecuredChannel.mctp, .pciDOE])
    func repeated(_ channel: SecuredChannel) throws {
        var (pair, session) = try Self.established(.v13, channel: channel)
        for round in 0..<3 {
            let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID)
            #expect(armed)
            let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
            #expect(outcome.requests == [.keyUpdate, .keyUpdate], "round \(round)")
            try pair.requester.updateKeys(all: round % 2 == 0, session: &session) { try pair.deliver($0) }
            try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        }
        try pair.exercise(&session)
    }

    @Test("nothing armed: GET_ENCAPSULATED_REQUEST gets NoPendingRequests (1.3+) / UnexpectedRequest, not an error; the session goes on",
          arguments: [SPDMVersion.v12, .v13])
    func nothingPending(_ version: SPDMVersion) throws {
        var (pair, session) = try Self.established(version)
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.nothingPending)
        #expect(outcome.requests.isEmpty)
        try pair.exercise(&session)
    }

    @Test("only the armed session is updated; another open session keeps its keys")
    func twoSessions() throws {
        var (pair, first) = try Self.established(.v12)
        var second = try pair.keyExchange(requesterSessionID: 0xFFFE)
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: second.sessionID)
        #expect(armed)
        let untouched = try pair.requester.processEncapsulatedRequests(session: &first) { try pair.deliver($0) }
        #expect(untouched.nothingPending)
        let updated = try pair.requester.processEncapsulatedRequests(session: &second) { try pair.deliver($0) }
        #expect(updated.requests == [.keyUpdate, .keyUpdate])
        try pair.exercise(&first)
        try pair.exercise(&second)
    }

    @Test("the requester's encapsulated answers: unsupported requests, UpdateAllKeys, VerifyNewKey first, outside a session")
    func refusals() throws {
        let (pair, _) = try Self.established(.v12)
        func message(_ code: RequestCode, _ param1: UInt8 = 0, _ param2: UInt8 = 0) -> [UInt8] {
            [0x12, code.rawValue, param1, param2]
        }
        func answer(_ responder: inout EncapsulatedResponder, _ request: [UInt8]) -> [UInt8] { responder.answer(request).response }
        var inSession = try pair.requester.encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: true)
        let reply1 = answer(&inSession, message(.getMeasurements))
        #expect(reply1 == Fixtures.errorBytes(.v12, .unsupportedRequest, 0xE0))
        let reply2 = answer(&inSession, message(.keyUpdate, 2, 7))
        #expect(reply2 == Fixtures.errorBytes(.v12, .invalidRequest))
        let reply3 = answer(&inSession, message(.keyUpdate, 3, 7))
        #expect(reply3 == Fixtures.errorBytes(.v12, .invalidRequest))
        let reply4 = answer(&inSession, [0x11, RequestCode.keyUpdate.rawValue, 1, 7])
        #expect(reply4 == Fixtures.errorBytes(.v12, .versionMismatch))
        let update = inSession.answer(message(.keyUpdate, 1, 9))
        #expect(update.response == [0x12, ResponseCode.keyUpdateAck.rawValue, 1, 9])
        #expect(update.movesResponseKey)
        let reply5 = answer(&inSession, message(.keyUpdate, 1, 9))
        #expect(reply5 == Fixtures.errorBytes(.v12, .invalidRequest), "a second UpdateKey")
        let verify = inSession.answer(message(.keyUpdate, 3, 10))
        #expect(verify.response == [0x12, ResponseCode.keyUpdateAck.rawValue, 3, 10])
        #expect(!verify.movesResponseKey)
        // No identity configured: the mutual-auth requests are unsupported.
        let reply6 = answer(&inSession, message(.getDigests))
        #expect(reply6 == Fixtures.errorBytes(.v12, .unsupportedRequest, 0x81))
        var outside = try pair.requester.encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: nil)
        let reply7 = answer(&outside, message(.keyUpdate, 1, 1))
        #expect(reply7 == Fixtures.errorBytes(.v12, .sessionRequired))
    }
}
