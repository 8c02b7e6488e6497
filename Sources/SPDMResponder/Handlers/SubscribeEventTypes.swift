import SPDMWire

/// SUBSCRIBE_EVENT_TYPES -> SUBSCRIBE_EVENT_TYPES_ACK (DSP0274 1.3 §10.27.2), inside an established
/// session. The list replaces the session's subscription: a group with Attributes bit 0 subscribes
/// to every type of the group, otherwise to the types listed; no group at all unsubscribes (and drops
/// what waits). A group or type this device does not offer is InvalidRequest, and nothing changes.
extension ResponderConnection {
    mutating func handleSubscribeEventTypes(_ request: [UInt8], sessionID: UInt32) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let message = try SubscribeEventTypesRequest(decoding: request, context: .unnegotiated(algorithms.version))
        var types: Set<DMTFEventType> = []
        for group in message.groups {
            guard group.id == .dmtf else {
                throw ResponderError.invalidRequest("event group \(group.id.registryID) is not offered (only DMTF)")
            }
            if group.attributes & EventGroup.subscribeAll != 0 {
                types.formUnion(DeviceEvents.supported)
                continue
            }
            guard !group.eventTypes.isEmpty else { throw ResponderError.invalidRequest("a DMTF group with no event type") }
            for raw in group.eventTypes {
                guard let type = DMTFEventType(rawValue: raw), DeviceEvents.supported.contains(type) else {
                    throw ResponderError.invalidRequest("DMTF event type \(raw) is not offered")
                }
                types.insert(type)
            }
        }

        // Build
        let bytes = SubscribeEventTypesAckResponse(version: message.version).encoded(context: .unnegotiated(algorithms.version))

        // Update
        sessions[sessionID]?.events.subscribe(types)
        return bytes
    }

    /// The subscription a new KEY_EXCHANGE session starts with: every event when its SessionPolicy
    /// has EventAllPolicy (bit 1, 1.3+), which a device without EVENT_CAP refuses with InvalidRequest
    /// (as libspdm's responder does); none otherwise (PSK sessions subscribe with SUBSCRIBE_EVENT_TYPES).
    func eventsForNewSession(policy: UInt8, version: SPDMVersion) throws -> SessionEvents {
        var events = SessionEvents()
        guard version >= .v13, policy & Self.eventAllPolicy != 0 else { return events }
        guard device.capabilities.contains(.event) else {
            throw ResponderError.invalidRequest("SessionPolicy EventAllPolicy without EVENT_CAP")
        }
        events.subscribe(Set(DeviceEvents.supported))
        return events
    }

    /// KEY_EXCHANGE SessionPolicy bit 1 (DSP0274 1.3 Table "KEY_EXCHANGE request message format").
    static let eventAllPolicy: UInt8 = 1 << 1
}
