import SPDMWire

/// GET_SUPPORTED_EVENT_TYPES -> SUPPORTED_EVENT_TYPES (DSP0274 1.3 §10.27.1): the DMTF event group with
/// the event types this device raises. Only inside an established session (the dispatch outside
/// sessions answers SessionRequired); the gate has checked EVENT_CAP and version 1.3+.
extension ResponderConnection {
    func handleGetSupportedEventTypes(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let message = try GetSupportedEventTypesRequest(decoding: request, context: .unnegotiated(algorithms.version))

        // Process + build (nothing changes)
        return SupportedEventTypesResponse(version: message.version, groups: DeviceEvents.supportedGroups)
            .encoded(context: .unnegotiated(algorithms.version))
    }
}
