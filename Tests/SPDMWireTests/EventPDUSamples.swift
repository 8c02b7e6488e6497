import Testing
@testable import SPDMWire

/// Samples of the event PDUs (DSP0274 1.3 §10.27) at 1.3 and 1.4.
extension Samples {
    static let dmtfGroup = EventGroup(eventTypes: DMTFEventType.allCases.map(\.rawValue))
    static let vendorGroup = EventGroup(id: EventGroupID(registryID: 4, vendorID: [0x34, 0x12]), version: 2, eventTypes: [7])

    static var events: [PDUSample] {
        var samples: [PDUSample] = []
        for version in [SPDMVersion.v13, .v14] {
            let context = negotiated(version)
            samples.append(.message("GET_SUPPORTED_EVENT_TYPES \(version)", GetSupportedEventTypesRequest(version: version), context: context))
            samples.append(.message("SUPPORTED_EVENT_TYPES \(version)",
                                    SupportedEventTypesResponse(version: version, groups: [dmtfGroup, vendorGroup]), context: context))
            samples.append(.message("SUBSCRIBE_EVENT_TYPES \(version)",
                                    SubscribeEventTypesRequest(version: version,
                                                               groups: [EventGroup(attributes: EventGroup.subscribeAll, eventTypes: [])]),
                                    context: context))
            samples.append(.message("SUBSCRIBE_EVENT_TYPES (unsubscribe) \(version)",
                                    SubscribeEventTypesRequest(version: version, groups: []), context: context, prefixesThrow: false))
            samples.append(.message("SUBSCRIBE_EVENT_TYPES_ACK \(version)", SubscribeEventTypesAckResponse(version: version), context: context))
            samples.append(.message("SEND_EVENT \(version)",
                                    SendEventRequest(version: version, events: [
                                        .measurementChanged(instanceID: 1, indices: [1, 2, 254]),
                                        .certificateChanged(instanceID: 2, slot: 1),
                                        .eventLost(instanceID: 3, lastAcknowledged: 0, lastLost: 2),
                                        EventRecord(instanceID: 4, group: vendorGroup.id, typeID: 7, detail: [9, 9, 9]),
                                    ]), context: context))
            samples.append(.message("EVENT_ACK \(version)", EventAckResponse(version: version), context: context))
        }
        return samples
    }
}

@Suite("Event PDU layouts")
struct EventLayoutTests {
    @Test("SUBSCRIBE_EVENT_TYPES with no group is the bare header; with groups it carries SubscribeListLen")
    func subscribeLayout() throws {
        #expect(SubscribeEventTypesRequest(version: .v13, groups: []).encoded(context: Samples.negotiated(.v13)) == [0x13, 0xF0, 0, 0])
        let all = SubscribeEventTypesRequest(version: .v13, groups: [EventGroup(attributes: 1, eventTypes: [])])
        #expect(all.encoded(context: Samples.negotiated(.v13)) == [0x13, 0xF0, 1, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0])
        var wrongLength = all.encoded(context: Samples.negotiated(.v13))
        wrongLength[4] = 11
        #expect(throws: WireError.self) { try SubscribeEventTypesRequest(decoding: wrongLength, context: Samples.negotiated(.v13)) }
    }

    @Test("a DMTF event with the wrong detail size and a SEND_EVENT that claims more events than it holds are refused")
    func sendEventChecks() throws {
        var event = EventRecord.certificateChanged(instanceID: 1, slot: 0)
        event.detail = [0, 0]
        let bad = SendEventRequest(version: .v13, events: [event]).encoded(context: Samples.negotiated(.v13))
        #expect(throws: WireError.self) { try SendEventRequest(decoding: bad, context: Samples.negotiated(.v13)) }
        var huge = SendEventRequest(version: .v13, events: [.certificateChanged(instanceID: 1, slot: 0)]).encoded(context: Samples.negotiated(.v13))
        huge[4] = 0xFF; huge[5] = 0xFF; huge[6] = 0xFF; huge[7] = 0xFF
        #expect(throws: WireError.self) { try SendEventRequest(decoding: huge, context: Samples.negotiated(.v13)) }
    }

    @Test("MeasurementChanged masks name the indices they were built from")
    func measurementMask() {
        let event = EventRecord.measurementChanged(instanceID: 9, indices: [0, 3, 8, 255])
        #expect(event.detail.count == 32)
        #expect(event.detail[0] == 0b1001 && event.detail[1] == 1 && event.detail[31] == 0x80)
        #expect(event.maskedIndices == [0, 3, 8, 255])
    }
}
