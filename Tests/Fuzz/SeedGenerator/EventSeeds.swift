import SPDMFuzzSupport
import SPDMWire

/// The event PDUs (DSP0274 1.3 §10.27) for FuzzWirePDU, and the event requests inside 1.3 / 1.4
/// sessions for FuzzResponder (the fuzz device has EVENT_CAP): what is offered, a subscription to
/// all, one to a list, unsubscribing, then polling for SEND_EVENT with GET_ENCAPSULATED_REQUEST.
enum EventSeeds {
    static func pdus(_ version: SPDMVersion) -> [(String, [UInt8])] {
        let context = WireContext.unnegotiated(version)
        let all = EventGroup(attributes: EventGroup.subscribeAll, eventTypes: [])
        return [
            ("GetSupportedEventTypesRequest", GetSupportedEventTypesRequest(version: version).encoded(context: context)),
            ("SupportedEventTypesResponse", SupportedEventTypesResponse(version: version, groups: [EventGroup(eventTypes: [1, 2, 4])])
                .encoded(context: context)),
            ("SubscribeEventTypesRequest", SubscribeEventTypesRequest(version: version, groups: [all]).encoded(context: context)),
            ("SubscribeEventTypesAckResponse", SubscribeEventTypesAckResponse(version: version).encoded(context: context)),
            ("SendEventRequest", SendEventRequest(version: version, events: [
                .measurementChanged(instanceID: 1, indices: [2]), .certificateChanged(instanceID: 2, slot: 1),
                .eventLost(instanceID: 3, lastAcknowledged: 0, lastLost: 1)]).encoded(context: context)),
            ("EventAckResponse", EventAckResponse(version: version).encoded(context: context)),
        ]
    }

    static func sessionRequests(_ version: SPDMVersion) -> [[UInt8]] {
        let context = WireContext.unnegotiated(version)
        return [
            GetSupportedEventTypesRequest(version: version).encoded(context: context),
            SubscribeEventTypesRequest(version: version, groups: [EventGroup(attributes: EventGroup.subscribeAll, eventTypes: [])])
                .encoded(context: context),
            SubscribeEventTypesRequest(version: version, groups: [EventGroup(eventTypes: [2, 4])]).encoded(context: context),
            SessionRequests.header(version, .getEncapsulatedRequest),
            SubscribeEventTypesRequest(version: version, groups: []).encoded(context: context),
        ]
    }
}
