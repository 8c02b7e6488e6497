import SPDMCore
import SPDMWire

/// GET_VERSION -> VERSION (DSP0274 §10.3). Always legal; resets the connection to its start.
extension ResponderConnection {
    mutating func handleGetVersion(_ request: [UInt8]) throws -> [UInt8] {
        // Validate: the gate checked version 1.0; the message is the bare header.
        _ = try GetVersionRequest(decoding: request, context: .unnegotiated(.v10))

        // Process + build
        let response = VersionResponse(versions: device.versions).encoded(context: .unnegotiated(.v10))

        // Update: a new VCA starts here, and it ends every session of the connection (DSP0274
        // §10.3: GET_VERSION resets the connection's state).
        droppedRecordCount += sessions.values.reduce(0) { $0 + $1.secrets.droppedRecords }
        sessions.removeAll()
        encapsulated = nil
        requesterIdentity = nil
        latestKeyExchangeSessionID = nil
        negotiatedStateClearRequested = false
        state = .afterVersion
        version = nil
        negotiated = nil
        peer = PeerCapabilities()
        transcript.reset()
        transcript.appendVCA(Array(request.prefix(MessageHeader.size)) + response)
        return response
    }
}
