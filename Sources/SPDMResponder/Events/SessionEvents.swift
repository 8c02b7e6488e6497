import SPDMWire

/// What one session subscribed to and the events waiting for it (DSP0274 1.3 §10.27 "Events"). The
/// device is the event notifier; the session's requester is the recipient. Events are raised by the
/// connection (a measurement or certificate change: EventRaising.swift) and leave as an encapsulated
/// SEND_EVENT the next time the requester asks GET_ENCAPSULATED_REQUEST in the session
/// (Handlers/EncapsulatedSendEvent.swift); its EVENT_ACK clears them.
struct SessionEvents: Sendable {
    /// The DMTF event types this session receives (empty: none, the state after KEY_EXCHANGE
    /// unless its SessionPolicy EventAllPolicy bit subscribed to all).
    var subscribed: Set<DMTFEventType> = []
    /// Raised, not yet sent.
    private(set) var pending: [EventRecord] = []
    /// Sent in the outstanding SEND_EVENT, not yet acknowledged.
    private(set) var inFlight: [EventRecord] = []
    /// EventInstanceID of the next event (per session, from 1).
    private var nextInstanceID: UInt32 = 1
    private var lastAcknowledged: UInt32 = 0
    /// The last event dropped because the queue was full, not yet reported by an EventLost.
    private var lastLost: UInt32?

    /// The most events that wait for one session; older ones are dropped and reported by EventLost.
    static let queueLimit = 16

    var hasPending: Bool { !pending.isEmpty || lastLost != nil }

    /// Queues an event of `type` (built with the next EventInstanceID) when the session subscribed to it.
    mutating func raise(_ type: DMTFEventType, _ make: (UInt32) -> EventRecord) {
        guard subscribed.contains(type) else { return }
        let id = nextInstanceID
        nextInstanceID &+= 1
        pending.append(make(id))
        while pending.count > Self.queueLimit {
            lastLost = pending.removeFirst().instanceID
        }
    }

    /// Moves what waits into a SEND_EVENT (an EventLost first when events were dropped and the
    /// session receives EventLost). Empty when nothing waits.
    mutating func takeForSending() -> [EventRecord] {
        if let lost = lastLost {
            lastLost = nil
            if subscribed.contains(.eventLost) {
                let id = nextInstanceID
                nextInstanceID &+= 1
                pending.insert(.eventLost(instanceID: id, lastAcknowledged: lastAcknowledged, lastLost: lost), at: 0)
            }
        }
        inFlight += pending
        pending = []
        return inFlight
    }

    /// The requester's EVENT_ACK: every event of the SEND_EVENT is delivered.
    mutating func acknowledge() {
        if let last = inFlight.last { lastAcknowledged = last.instanceID }
        inFlight = []
    }

    /// Unsubscribing drops everything that waits.
    mutating func subscribe(_ types: Set<DMTFEventType>) {
        subscribed = types
        if types.isEmpty {
            pending = []
            inFlight = []
            lastLost = nil
        }
    }
}

/// The events a device offers in SUPPORTED_EVENT_TYPES: the DMTF group with the types it raises.
/// MeasurementPreUpdate is not offered: a measurement changes through the control API at once,
/// with no moment before the change to announce it.
enum DeviceEvents {
    static let supported: [DMTFEventType] = [.eventLost, .measurementChanged, .certificateChanged]
    static let groupVersion: UInt16 = 1

    static var supportedGroups: [EventGroup] {
        [EventGroup(version: groupVersion, eventTypes: supported.map(\.rawValue))]
    }
}
