import SPDMCore
import SPDMCrypto
@testable import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// The responder-initiated KEY_UPDATE (DSP0274 §10.20 through the encapsulated flow §10.14), driven
/// step by step from the requester side so each record's keys are visible: the responder's
/// UpdateKey comes under the old response key, VerifyNewKey under the new one, and the request
/// direction never changes.
@Suite("Responder-initiated key update (encapsulated)")
struct EncapsulatedKeyUpdateTests {
    static let responderCapabilities = SessionPair.responderCapabilities.union(.encap)
    static let requesterCapabilities = SessionPair.requesterCapabilities.union(.encap)

    static func established(_ version: SPDMVersion = .v12, requester: CapabilityFlags = requesterCapabilities)
        throws -> (SessionPair, RequesterSession) {
        let pair = SessionPair(version: version, responderCapabilities: responderCapabilities, requesterCapabilities: requester)
        try pair.connect()
        let session = try pair.keyExchange()
        return (pair, session)
    }

    static func message(_ version: SPDMVersion, _ code: RequestCode, _ param1: UInt8 = 0, _ param2: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: code.rawValue, param1: param1, param2: param2).encode(into: &out)
        return out
    }

    static func keyUpdateAck(_ version: SPDMVersion, echoing request: [UInt8]) -> [UInt8] {
        SessionControlResponse.keyUpdateAck(version, operation: KeyUpdateOperation(rawValue: request[2]), tag: request[3])
    }

    @Test("UpdateKey under the old response key, VerifyNewKey under the new one; the session keeps working",
          arguments: [SPDMVersion.v11, .v12, .v13, .v14])
    func goodPath(_ version: SPDMVersion) throws {
        var (pair, session) = try Self.established(version)
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID)
        #expect(armed)

        // GET_ENCAPSULATED_REQUEST -> ENCAPSULATED_REQUEST { KEY_UPDATE UpdateKey }
        let first = try session.exchange(Self.message(version, .getEncapsulatedRequest), code: .getEncapsulatedRequest) { try pair.deliver($0) }
        let request = try EncapsulatedRequestResponse(decoding: first)
        #expect(request.encapsulatedRequest.count == 4)
        #expect(request.encapsulatedRequest[1] == RequestCode.keyUpdate.rawValue)
        #expect(request.encapsulatedRequest[2] == KeyUpdateOperation.updateKey.rawValue)

        // Our ACK goes under the unchanged request key; the reply comes under the next response key.
        let ack = DeliverEncapsulatedResponse(version: version, requestID: request.requestID,
                                              encapsulatedResponse: Self.keyUpdateAck(version, echoing: request.encapsulatedRequest))
        let record = try session.seal(ack.encoded)
        let oldSecrets = session.secrets
        session.secrets.updateKeys(request: false, response: true)
        guard case .secured(let sealed) = try pair.deliver(record) else { Issue.record("answered in the clear"); return }
        var stale = session
        stale.secrets = oldSecrets
        #expect(throws: RequesterError.self) { _ = try stale.open(sealed) }
        let second = try EncapsulatedResponseAck(decoding: session.open(sealed))
        #expect(second.payloadType == .present)
        #expect(second.payload.count == 4)
        #expect(second.payload[1] == RequestCode.keyUpdate.rawValue)
        #expect(second.payload[2] == KeyUpdateOperation.verifyNewKey.rawValue)

        // VerifyNewKey acknowledged -> the flow ends.
        let verify = DeliverEncapsulatedResponse(version: version, requestID: second.requestID,
                                                 encapsulatedResponse: Self.keyUpdateAck(version, echoing: second.payload))
        let last = try EncapsulatedResponseAck(decoding: session.exchange(verify.encoded, code: .deliverEncapsulatedResponse) { try pair.deliver($0) })
        #expect(last.payloadType == .absent)
        #expect(last.payload.isEmpty)

        try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
        let measurements = try pair.requester.getMeasurements(.all(signed: true), session: &session) { try pair.deliver($0) }
        #expect(measurements.signatureVerified)
        try pair.requester.updateKeys(all: false, session: &session) { try pair.deliver($0) }
        try pair.requester.endSession(session: &session) { try pair.deliver($0) }
        #expect(pair.responder.droppedSecuredRecords == 0)
    }

    @Test("a KEY_UPDATE_ACK with the wrong tag ends the flow with an ERROR; the response key stays")
    func wrongTag() throws {
        var (pair, session) = try Self.established()
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID)
        #expect(armed)
        let first = try session.exchange(Self.message(.v12, .getEncapsulatedRequest), code: .getEncapsulatedRequest) { try pair.deliver($0) }
        let request = try EncapsulatedRequestResponse(decoding: first)
        var bad = Self.keyUpdateAck(.v12, echoing: request.encapsulatedRequest)
        bad[3] &+= 1
        let ack = DeliverEncapsulatedResponse(version: .v12, requestID: request.requestID, encapsulatedResponse: bad)
        let reply = try session.exchange(ack.encoded, code: .deliverEncapsulatedResponse) { try pair.deliver($0) }
        #expect(reply[1] == ResponseCode.error.rawValue)
        #expect(reply[2] == ErrorCode.invalidResponseCode.rawValue)
        // No flow left, and the old response key still opens the replies.
        let again = try session.exchange(Self.message(.v12, .getEncapsulatedRequest), code: .getEncapsulatedRequest) { try pair.deliver($0) }
        #expect(again[1] == ResponseCode.error.rawValue)
        #expect(again[2] == ErrorCode.unexpectedRequest.rawValue)
        try pair.requester.heartbeat(session: &session) { try pair.deliver($0) }
    }

    @Test("OOB_ENCAP_KEY_UPDATE is refused without an established session, ENCAP_CAP on the requester, or a known id")
    func refusals() throws {
        let (pair, session) = try Self.established()
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID ^ 0x0001_0000)
        #expect(!armed)

        let (noEncap, other) = try Self.established(requester: SessionPair.requesterCapabilities)
        let armedWithoutEncap = noEncap.responder.startEncapsulatedKeyUpdate(sessionID: other.sessionID)
        #expect(!armedWithoutEncap)

        let handshaking = SessionPair(version: .v12, responderCapabilities: Self.responderCapabilities,
                                      requesterCapabilities: Self.requesterCapabilities)
        try handshaking.connect()
        let (request, state) = try handshaking.requester.startKeyExchange()
        let response = handshaking.responder.respond(to: request)
        let opened = try handshaking.requester.receiveKeyExchange(response, state: state, channel: .mctp)
        let armedInHandshake = handshaking.responder.startEncapsulatedKeyUpdate(sessionID: opened.sessionID)
        #expect(!armedInHandshake)
    }

    @Test("GET_ENCAPSULATED_REQUEST in another session gets no key update of this one")
    func otherSession() throws {
        var (pair, session) = try Self.established(.v13)
        var second = try pair.keyExchange(requesterSessionID: 0xFFFE)
        let armed = pair.responder.startEncapsulatedKeyUpdate(sessionID: session.sessionID)
        #expect(armed)
        let reply = try second.exchange(Self.message(.v13, .getEncapsulatedRequest), code: .getEncapsulatedRequest) { try pair.deliver($0) }
        #expect(reply[1] == ResponseCode.error.rawValue)
        #expect(reply[2] == ErrorCode.noPendingRequests.rawValue)
        let first = try session.exchange(Self.message(.v13, .getEncapsulatedRequest), code: .getEncapsulatedRequest) { try pair.deliver($0) }
        #expect(try EncapsulatedRequestResponse(decoding: first).encapsulatedRequest[2] == KeyUpdateOperation.updateKey.rawValue)
    }
}
