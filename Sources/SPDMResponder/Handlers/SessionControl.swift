import SPDMSession
import SPDMWire

/// HEARTBEAT, KEY_UPDATE and END_SESSION (DSP0274 §10.19-10.21), all inside an established session.
extension ResponderConnection {
    mutating func handleHeartbeat(_ request: [UInt8]) throws -> [UInt8] {
        let header = try MessageHeader(peeking: request)
        guard peer.flags.contains(.heartbeat) else { throw ResponderError.unsupportedRequest(.heartbeat) }
        return SessionControlResponse.heartbeatAck(header.version)
    }

    /// UpdateKey: the request direction moves to its next secret (the ACK goes out under the
    /// unchanged response key). UpdateAllKeys: both directions move, and the ACK is already sealed
    /// under the new response key (libspdm's requester expects exactly that). VerifyNewKey: arrives
    /// under the new request key, which confirms it.
    mutating func handleKeyUpdate(_ request: [UInt8], sessionID: UInt32) throws -> [UInt8] {
        let header = try MessageHeader(peeking: request)
        guard peer.flags.contains(.keyUpdate) else { throw ResponderError.unsupportedRequest(.keyUpdate) }
        guard var session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("no session") }
        let operation = KeyUpdateOperation(rawValue: header.param1)
        switch operation {
        case .updateKey:
            session.secrets.updateKeys(request: true, response: false)
        case .updateAllKeys:
            session.secrets.updateKeys(request: true, response: true)
        case .verifyNewKey:
            guard session.lastKeyUpdate == .updateKey || session.lastKeyUpdate == .updateAllKeys else {
                throw ResponderError.invalidRequest("VerifyNewKey without a preceding key update")
            }
        default:
            throw ResponderError.invalidRequest("KEY_UPDATE operation \(header.param1)")
        }
        session.lastKeyUpdate = operation == .verifyNewKey ? nil : operation
        let bytes = SessionControlResponse.keyUpdateAck(header.version, operation: operation, tag: header.param2)
        sessions[sessionID] = session
        return bytes
    }

    /// END_SESSION: the ACK is sealed under the session's keys, then the session is gone.
    ///
    /// Param1 bit 0 is the Negotiated State Clearing Indicator. It asks a responder with CACHE_CAP
    /// to drop the Negotiated State it caches across resets. These devices cache nothing across
    /// resets (no CACHE_CAP), so the request is recorded (`negotiatedStateClearRequested`) and the
    /// live connection keeps its negotiated state, as libspdm's responder does: the reference
    /// requester ends its KEY_EXCHANGE session with the bit set and then opens a PSK session
    /// without a new GET_VERSION.
    mutating func handleEndSession(_ request: [UInt8]) throws -> [UInt8] {
        let header = try MessageHeader(peeking: request)
        guard request.count == MessageHeader.size else {
            throw ResponderError.invalidRequest("END_SESSION of \(request.count) bytes, expected 4")
        }
        let attributes = EndSessionAttributes(rawValue: header.param1)
        if attributes.contains(.clearNegotiatedState) { negotiatedStateClearRequested = true }
        return SessionControlResponse.endSessionAck(header.version)
    }
}
