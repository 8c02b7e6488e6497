import SPDMWire

/// Event delivery (DSP0274 1.3 §10.27.3): the device is the notifier, but a responder cannot send a
/// request of its own, so SEND_EVENT rides the encapsulated request flow (§10.14) of the subscribed
/// session, as libspdm's responder sends it. The requester polls for it:
///
///     Requester (recipient)                        Responder (notifier)
///     GET_ENCAPSULATED_REQUEST             ->
///                                          <-      ENCAPSULATED_REQUEST { SEND_EVENT EventCount, events }
///     DELIVER_ENCAPSULATED_RESPONSE
///       { EVENT_ACK }                      ->      the events are delivered
///                                          <-      ENCAPSULATED_RESPONSE_ACK (no request: done)
///
/// With nothing waiting, GET_ENCAPSULATED_REQUEST is answered ERROR(NoPendingRequests) (1.3+), so a
/// requester can poll. An EVENT_ACK that does not come (an ERROR, a broken flow) leaves the events in
/// flight; the next SEND_EVENT of the session sends them again.
extension ResponderConnection {
    /// Starts the event flow of session `sessionID` when events wait for it and no other encapsulated
    /// flow is in progress; false otherwise.
    mutating func startEventDelivery(sessionID: UInt32?) -> Bool {
        guard encapsulated == nil, let sessionID, let session = sessions[sessionID], session.established,
              session.events.hasPending || !session.events.inFlight.isEmpty else { return false }
        var flow = EncapsulatedFlow(purpose: .events(sessionID), remaining: [.sendEvent])
        flow.events = sessions[sessionID]?.events.takeForSending() ?? []
        encapsulated = flow
        return true
    }

    /// The SEND_EVENT of the flow: what was in flight again, then what waited.
    func encapsulatedSendEvent(_ flow: EncapsulatedFlow, version: SPDMVersion) throws -> [UInt8] {
        guard !flow.events.isEmpty else { throw ResponderError.unspecified("no event to send") }
        return SendEventRequest(version: version, events: flow.events).encoded(context: .unnegotiated(version))
    }

    /// EVENT_ACK must be the bare 4-byte response.
    func checkEncapsulatedEventAck(_ response: [UInt8], version: SPDMVersion, fail: (String) -> ResponderError) throws {
        let header = try MessageHeader(peeking: response)
        guard header.code == ResponseCode.eventAck.rawValue else {
            throw fail("got response code 0x\(String(header.code, radix: 16))")
        }
        guard (try? EventAckResponse(decoding: response, context: .unnegotiated(version))) != nil else {
            throw fail("EVENT_ACK of \(response.count) bytes")
        }
    }
}
