import SPDMWire

/// RESPOND_IF_READY (DSP0274 §10.13). The device itself never answers ResponseNotReady: the
/// daemon's fault layer does (a `not_ready` rule), holds the real response and answers the
/// RESPOND_IF_READY for it. What reaches the state machine has nothing pending.
extension ResponderConnection {
    mutating func handleRespondIfReady(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        _ = try RespondIfReadyRequest(decoding: request, context: WireContext.unnegotiated(version ?? .v10))
        throw ResponderError.unexpectedRequest("RESPOND_IF_READY with nothing pending")
    }
}
