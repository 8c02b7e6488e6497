import SPDMCore
import SPDMCrypto
@testable import SPDMRequester
@testable import SPDMResponder
import SPDMSession
import SPDMWire
import Testing

/// Events (DSP0274 1.3 §10.27): GET_SUPPORTED_EVENT_TYPES, SUBSCRIBE_EVENT_TYPES, and SEND_EVENT
/// delivered as an encapsulated request answered with EVENT_ACK, requester and responder back to back.
@Suite("Events")
struct EventTests {
    static func established(_ version: SPDMVersion = .v13, psk: Bool = false) throws -> (SessionPair, RequesterSession) {
        let pair = SessionPair(version: version, responderCapabilities: SessionPair.responderCapabilities.union([.encap, .event]),
                               requesterCapabilities: SessionPair.requesterCapabilities.union(.encap))
        try pair.connect()
        let session = psk ? try pair.pskExchange() : try pair.keyExchange()
        return (pair, session)
    }

    static func changed(_ table: MeasurementTable, index: UInt8) -> MeasurementTable {
        var table = table
        _ = table.set(index: index, value: Array("changed \(index)".utf8))
        return table
    }

    @Test("subscribe to all, a measurement change arrives as MeasurementChanged and is acknowledged once", arguments: [SPDMVersion.v13, .v14])
    func measurementChanged(_ version: SPDMVersion) throws {
        var (pair, session) = try Self.established(version)
        let groups = try pair.requester.subscribeAllEvents(session: &session) { try pair.deliver($0) }
        #expect(groups == DeviceEvents.supportedGroups)
        let table = pair.responder.device.measurements
        pair.responder.updateMeasurements(Self.changed(table, index: 2), raisingEvents: true)
        #expect(pair.responder.pendingEventCount(sessionID: session.sessionID) == 1)
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.requests == [.sendEvent])
        #expect(outcome.events.map(\.dmtfType) == [.measurementChanged])
        #expect(outcome.events.first?.maskedIndices == [2])
        #expect(outcome.events.first?.instanceID == 1)
        let again = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(again.nothingPending)
        try pair.exercise(&session)
    }

    @Test("no subscription, a fault's stand-in table, or an unchanged table raise nothing")
    func nothingRaised() throws {
        var (pair, session) = try Self.established()
        let table = pair.responder.device.measurements
        pair.responder.updateMeasurements(Self.changed(table, index: 1), raisingEvents: true)
        #expect(pair.responder.pendingEventCount(sessionID: session.sessionID) == 0)
        _ = try pair.requester.subscribeAllEvents(session: &session) { try pair.deliver($0) }
        pair.responder.updateMeasurements(Self.changed(table, index: 3))
        pair.responder.updateMeasurements(pair.responder.device.measurements, raisingEvents: true)
        #expect(pair.responder.pendingEventCount(sessionID: session.sessionID) == 0)
        #expect(try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }.nothingPending)
    }

    @Test("CertificateChanged for the slots named; only the types subscribed; unsubscribing drops what waits")
    func certificateChangedAndSelection() throws {
        var (pair, session) = try Self.established()
        try pair.requester.subscribeEvents([EventGroup(eventTypes: [DMTFEventType.certificateChanged.rawValue])], session: &session) {
            try pair.deliver($0)
        }
        pair.responder.updateMeasurements(Self.changed(pair.responder.device.measurements, index: 1), raisingEvents: true)
        pair.responder.certificatesChanged(slots: [1, 0])
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.events.map(\.summary) == ["CertificateChanged slot 0", "CertificateChanged slot 1"])
        pair.responder.certificatesChanged(slots: [0])
        try pair.requester.subscribeEvents([], session: &session) { try pair.deliver($0) }
        #expect(try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }.nothingPending)
    }

    @Test("more events than the queue holds: the oldest are dropped and an EventLost comes first")
    func eventLost() throws {
        var (pair, session) = try Self.established()
        _ = try pair.requester.subscribeAllEvents(session: &session) { try pair.deliver($0) }
        for round in 0..<(SessionEvents.queueLimit + 3) {
            pair.responder.certificatesChanged(slots: [UInt8(round % 8)])
        }
        let outcome = try pair.requester.processEncapsulatedRequests(session: &session) { try pair.deliver($0) }
        #expect(outcome.events.count == SessionEvents.queueLimit + 1)
        #expect(outcome.events.first?.dmtfType == .eventLost)
        #expect(outcome.events.first?.summary == "EventLost last acknowledged 0, last lost 3")
    }

    @Test("the event requests need a session, 1.3 and EVENT_CAP; a bad subscription is InvalidRequest")
    func refusals() throws {
        var (pair, session) = try Self.established()
        let inTheClear = pair.responder.respond(to: GetSupportedEventTypesRequest(version: .v13).encoded(context: .unnegotiated(.v13)))
        #expect(inTheClear == Fixtures.errorBytes(.v13, .sessionRequired))
        #expect(throws: RequesterError.self) {
            try pair.requester.subscribeEvents([EventGroup(eventTypes: [DMTFEventType.measurementPreUpdate.rawValue])], session: &session) {
                try pair.deliver($0)
            }
        }
        #expect(throws: RequesterError.self) {
            try pair.requester.subscribeEvents([EventGroup(id: EventGroupID(registryID: 3, vendorID: [1]), eventTypes: [1])],
                                               session: &session) { try pair.deliver($0) }
        }
        var (plain, plainSession) = (SessionPair(version: .v13), RequesterSession?.none)
        try plain.connect()
        plainSession = try plain.keyExchange()
        #expect(throws: RequesterError.self) {
            var session = plainSession!
            _ = try plain.requester.supportedEventTypes(session: &session) { try plain.deliver($0) }
        }
        try pair.exercise(&session)
    }

    @Test("KEY_EXCHANGE SessionPolicy EventAllPolicy subscribes the new session to everything")
    func eventAllPolicy() throws {
        let pair = SessionPair(version: .v13, responderCapabilities: SessionPair.responderCapabilities.union([.encap, .event]),
                               requesterCapabilities: SessionPair.requesterCapabilities.union(.encap))
        try pair.connect()
        let events = try pair.responder.eventsForNewSession(policy: ResponderConnection.eventAllPolicy, version: .v13)
        #expect(events.subscribed == Set(DeviceEvents.supported))
        let none = SessionPair(version: .v13)
        #expect(throws: ResponderError.self) { try none.responder.eventsForNewSession(policy: ResponderConnection.eventAllPolicy, version: .v13) }
    }
}
