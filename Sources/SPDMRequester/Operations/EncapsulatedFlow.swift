import SPDMCore
import SPDMCrypto
import SPDMWire

/// The encapsulated request flow driven by the requester (DSP0274 §10.14; libspdm_req_encap_request.c):
///
///     GET_ENCAPSULATED_REQUEST            ->  <- ENCAPSULATED_REQUEST { RequestID, request }
///     DELIVER_ENCAPSULATED_RESPONSE       ->  <- ENCAPSULATED_RESPONSE_ACK { RequestID, PayloadType,
///       { RequestID, our response }                (1.2+: AckRequestID), next request | ReqSlotID }
///     ... until PayloadType is absent (0) or the requester slot number (2)
///
/// With MutAuthRequested 0x04 the flow starts with DELIVER_ENCAPSULATED_RESPONSE (RequestID 0)
/// carrying DIGESTS, without GET_ENCAPSULATED_REQUEST. The flow runs
///   - after CHALLENGE_AUTH with BasicMutAuthReq (SPDM 1.1), in plain messages;
///   - in a session's handshake for session mutual authentication, under the handshake keys, or in
///     plain messages when the handshake is in the clear;
///   - in an established session, e.g. for the responder's own KEY_UPDATE.
public struct EncapsulatedOutcome: Sendable, Equatable {
    /// The encapsulated requests answered, in order (including any answered with ERROR).
    public var requests: [RequestCode] = []
    /// The requester slot number ENCAPSULATED_RESPONSE_ACK named (PayloadType 2).
    public var requesterSlotID: UInt8?
    /// The responder had nothing pending (ERROR NoPendingRequests, or UnexpectedRequest before 1.3).
    public var nothingPending = false
    /// The events of the SEND_EVENT requests answered with EVENT_ACK, in order.
    public var events: [EventRecord] = []
}

/// Sends one message of the flow and returns the SPDM reply. `movesResponseKey`: the message
/// acknowledges the responder's UpdateKey, so the receive key moves once the message is sealed.
typealias EncapsulatedSend = (_ message: [UInt8], _ code: RequestCode, _ movesResponseKey: Bool) throws -> [UInt8]

extension EncapsulatedResponder {
    /// At most this many encapsulated requests in one flow (a responder that never ends it is an error).
    static let maximumRequests = 256

    /// Runs the flow to its end. `digestsFirst`: MutAuthRequested 0x04. `nothingPendingIsDone`: an
    /// ERROR NoPendingRequests / UnexpectedRequest to GET_ENCAPSULATED_REQUEST ends the flow
    /// quietly (libspdm does so when no mutual authentication was requested).
    mutating func run(digestsFirst: Bool, nothingPendingIsDone: Bool, send: EncapsulatedSend) throws -> EncapsulatedOutcome {
        var outcome = EncapsulatedOutcome()
        var requestID: UInt8 = 0
        var request: [UInt8]
        if digestsFirst {
            request = RequesterConnection.header(version, .getDigests)
        } else {
            let code = RequestCode.getEncapsulatedRequest
            let reply = try send(RequesterConnection.header(version, code), code, false)
            if nothingPendingIsDone, let header = try? MessageHeader(peeking: reply), header.code == ResponseCode.error.rawValue,
               header.param1 == (version >= .v13 ? ErrorCode.noPendingRequests : ErrorCode.unexpectedRequest).rawValue {
                outcome.nothingPending = true
                return outcome
            }
            try check(reply, code: code, expected: .encapsulatedRequest)
            let message = try decodeResponse(code) { try EncapsulatedRequestResponse(decoding: reply) }
            guard message.encapsulatedRequest.count >= MessageHeader.size else {
                throw RequesterError.malformedResponse(request: code, reason: "ENCAPSULATED_REQUEST carries no request")
            }
            requestID = message.requestID
            request = message.encapsulatedRequest
        }

        let code = RequestCode.deliverEncapsulatedResponse
        while true {
            guard outcome.requests.count < Self.maximumRequests else {
                throw RequesterError.malformedResponse(request: code, reason: "the responder sent over \(Self.maximumRequests) encapsulated requests")
            }
            let answer = answer(request)
            outcome.requests.append(answer.request)
            let deliver = DeliverEncapsulatedResponse(version: version, requestID: requestID, encapsulatedResponse: answer.response).encoded
            let reply = try send(deliver, code, answer.movesResponseKey)
            try check(reply, code: code, expected: .encapsulatedResponseAck)
            let ack = try decodeResponse(code) { try EncapsulatedResponseAck(decoding: reply) }
            if version >= .v12 && ack.ackRequestID != requestID {
                throw RequesterError.malformedResponse(request: code, reason: "AckRequestID \(ack.ackRequestID), we delivered RequestID \(requestID)")
            }
            outcome.events = receivedEvents
            switch ack.payloadType {
            case .absent:
                return outcome
            case .requesterSlotNumber:
                guard let slot = ack.payload.first, slot < 8 else {
                    throw RequesterError.malformedResponse(request: code, reason: "ENCAPSULATED_RESPONSE_ACK names no valid requester slot")
                }
                outcome.requesterSlotID = slot
                return outcome
            case .present:
                guard ack.payload.count >= MessageHeader.size else {
                    throw RequesterError.malformedResponse(request: code, reason: "ENCAPSULATED_RESPONSE_ACK carries no request")
                }
                requestID = ack.requestID
                request = ack.payload
            }
        }
    }

    /// ERROR -> errorResponse; otherwise the expected response code at the connection's version.
    private func check(_ reply: [UInt8], code: RequestCode, expected: ResponseCode) throws {
        try checkResponse(reply, code: code, expected: expected, version: version)
    }
}

extension RequesterConnection {
    /// The encapsulated-request answerer for this connection's negotiated state.
    func encapsulatedResponder(for code: RequestCode, sessionEstablished: Bool?) throws -> EncapsulatedResponder {
        let algorithms = try algorithms(for: code)
        guard algorithms.version >= .v11 else { throw RequesterError.invalidState("SPDM \(algorithms.version) has no encapsulated requests") }
        let theirs = responderCapabilities?.flags ?? []
        guard theirs.contains(.encap) else { throw RequesterError.capabilityMissing("ENCAP_CAP for encapsulated requests") }
        guard configuration.capabilities.contains(.encap) else {
            throw RequesterError.invalidState("encapsulated requests without ENCAP_CAP in our capabilities")
        }
        var responder = EncapsulatedResponder(
            algorithms: algorithms, identity: configuration.requesterIdentity, ours: configuration.capabilities, theirs: theirs,
            responderDataTransferSize: largeMessageTransfer.chunking ? responderCapabilities?.maxSPDMMessageSize ?? 0
                                                                     : responderCapabilities?.dataTransferSize ?? 0,
            vca: transcript.vca, random: random,
            sessionEstablished: sessionEstablished)
        responder.endpointInfo = configuration.endpointInfo
        return responder
    }

    /// Basic mutual authentication (SPDM 1.1, DSP0274 §10.8): after CHALLENGE_AUTH with
    /// BasicMutAuthReq, answers the responder's encapsulated GET_DIGESTS, GET_CERTIFICATE and
    /// CHALLENGE in plain messages. Throws when the responder refuses our chain or signature.
    public mutating func basicMutualAuthentication(exchange: ([UInt8]) throws -> [UInt8]) throws -> EncapsulatedOutcome {
        guard pending == nil else { throw RequesterError.invalidState("\(pending!.code) is still in flight") }
        var responder = try encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: nil)
        // The same transcript resets the responder applies to these requests (idempotent, so once is enough).
        transcript.willHandle(request: .getEncapsulatedRequest, authenticated: authenticated)
        transcript.willHandle(request: .deliverEncapsulatedResponse, authenticated: authenticated)
        return try responder.run(digestsFirst: false, nothingPendingIsDone: false) { message, _, _ in try self.exchangeLarge(message, exchange: exchange) }
    }

    /// Runs the encapsulated flow in the clear: GET_ENCAPSULATED_REQUEST, then answers whatever the
    /// responder asks (its GET_ENDPOINT_INFO after OOB_ENCAP_ENDPOINT_INFO, say) until
    /// ENCAPSULATED_RESPONSE_ACK ends the flow. Nothing pending is not an error.
    public mutating func processEncapsulatedRequests(exchange: ([UInt8]) throws -> [UInt8]) throws -> EncapsulatedOutcome {
        guard pending == nil else { throw RequesterError.invalidState("\(pending!.code) is still in flight") }
        var responder = try encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: nil)
        transcript.willHandle(request: .getEncapsulatedRequest, authenticated: authenticated)
        transcript.willHandle(request: .deliverEncapsulatedResponse, authenticated: authenticated)
        return try responder.run(digestsFirst: false, nothingPendingIsDone: true) { message, _, _ in try self.exchangeLarge(message, exchange: exchange) }
    }

    /// Session mutual authentication with MutAuthRequested 0x02 / 0x04: the encapsulated flow in the
    /// session's handshake (plain when the handshake is in the clear). A requester slot number in
    /// the last ENCAPSULATED_RESPONSE_ACK becomes ReqSlotID when SlotIDParam was 0 (libspdm).
    mutating func sessionMutualAuthentication(session: inout RequesterSession, exchange: ([UInt8]) throws -> [UInt8],
                                              secured: SecuredExchange) throws {
        var responder = try encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: false)
        let digestsFirst = session.mutAuthRequested == 0x04
        let outcome: EncapsulatedOutcome
        if session.handshakeInTheClear {
            transcript.willHandle(request: .getEncapsulatedRequest, authenticated: authenticated)
            transcript.willHandle(request: .deliverEncapsulatedResponse, authenticated: authenticated)
            outcome = try responder.run(digestsFirst: digestsFirst, nothingPendingIsDone: false) { message, _, _ in try self.exchangeLarge(message, exchange: exchange) }
        } else {
            outcome = try responder.run(digestsFirst: digestsFirst, nothingPendingIsDone: false) { message, code, moves in
                try session.exchange(message, code: code, via: secured, movingResponseKey: moves)
            }
        }
        if let slot = outcome.requesterSlotID, session.requesterSlotID == 0 { session.requesterSlotID = slot }
    }

    /// Runs the encapsulated flow in an established session: GET_ENCAPSULATED_REQUEST, then answers
    /// whatever the responder asks (its own KEY_UPDATE after OOB_ENCAP_KEY_UPDATE; ERROR for requests
    /// this requester does not serve) until ENCAPSULATED_RESPONSE_ACK ends the flow. Nothing pending
    /// is not an error (`EncapsulatedOutcome.nothingPending`).
    public mutating func processEncapsulatedRequests(session: inout RequesterSession, via send: SecuredExchange) throws -> EncapsulatedOutcome {
        try requireEstablished(session, .getEncapsulatedRequest)
        var responder = try encapsulatedResponder(for: .getEncapsulatedRequest, sessionEstablished: true)
        responder.keyUpdatePending = session.encapsulatedKeyUpdatePending
        defer { session.encapsulatedKeyUpdatePending = responder.keyUpdatePending }
        return try responder.run(digestsFirst: false, nothingPendingIsDone: true) { message, code, moves in
            try session.exchange(message, code: code, via: send, movingResponseKey: moves)
        }
    }
}
