import SPDMCore
import SPDMWire

/// Events (DSP0274 1.3 §10.27), the requester as event recipient inside an established session:
///
///     GET_SUPPORTED_EVENT_TYPES  -> SUPPORTED_EVENT_TYPES   what the responder can raise
///     SUBSCRIBE_EVENT_TYPES      -> SUBSCRIBE_EVENT_TYPES_ACK
///
/// The responder (the notifier) then delivers SEND_EVENT as an encapsulated request: each
/// `processEncapsulatedRequests` (GET_ENCAPSULATED_REQUEST, polled) answers it with EVENT_ACK and
/// returns the events in `EncapsulatedOutcome.events`.
extension RequesterConnection {
    /// GET_SUPPORTED_EVENT_TYPES -> the responder's event groups.
    public func supportedEventTypes(session: inout RequesterSession, via send: SecuredExchange) throws -> [EventGroup] {
        try requireEventSession(session, .getSupportedEventTypes)
        let request = GetSupportedEventTypesRequest(version: session.version).encoded(context: .unnegotiated(session.version))
        let response = try session.exchange(request, code: .getSupportedEventTypes, via: send)
        try checkSessionResponse(response, code: .getSupportedEventTypes, expected: .supportedEventTypes, version: session.version)
        return try decode(.getSupportedEventTypes) {
            try SupportedEventTypesResponse(decoding: response, context: .unnegotiated(session.version)).groups
        }
    }

    /// SUBSCRIBE_EVENT_TYPES: `groups` empty unsubscribes from everything.
    public func subscribeEvents(_ groups: [EventGroup], session: inout RequesterSession, via send: SecuredExchange) throws {
        try requireEventSession(session, .subscribeEventTypes)
        let request = SubscribeEventTypesRequest(version: session.version, groups: groups).encoded(context: .unnegotiated(session.version))
        let response = try session.exchange(request, code: .subscribeEventTypes, via: send)
        try checkSessionResponse(response, code: .subscribeEventTypes, expected: .subscribeEventTypesAck, version: session.version)
        _ = try exact(response, length: MessageHeader.size, code: .subscribeEventTypes)
    }

    /// Every event type of every group the responder offers (Attributes bit 0).
    public func subscribeAllEvents(session: inout RequesterSession, via send: SecuredExchange) throws -> [EventGroup] {
        let offered = try supportedEventTypes(session: &session, via: send)
        try subscribeEvents(offered.map { EventGroup(id: $0.id, version: $0.version, attributes: EventGroup.subscribeAll, eventTypes: []) },
                            session: &session, via: send)
        return offered
    }

    private func requireEventSession(_ session: RequesterSession, _ code: RequestCode) throws {
        try requireEstablished(session, code)
        guard session.version >= .v13 else { throw RequesterError.invalidState("\(code) needs SPDM 1.3 or later") }
        try requireResponder(.event, "EVENT_CAP for \(code)")
    }
}

extension EncapsulatedResponder {
    /// SEND_EVENT -> EVENT_ACK (established sessions only); a malformed event list is InvalidRequest.
    mutating func eventAck(_ request: [UInt8]) throws -> [UInt8] {
        guard sessionEstablished == true else { throw Refusal(code: .unexpectedRequest) }
        guard let message = try? SendEventRequest(decoding: request, context: .unnegotiated(version)) else {
            throw Refusal(code: .invalidRequest)
        }
        receivedEvents += message.events
        return EventAckResponse(version: version).encoded(context: .unnegotiated(version))
    }
}
