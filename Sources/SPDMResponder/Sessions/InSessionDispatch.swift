import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// The requests a session carries, by the session's phase (handshake, then established); the
/// entry path is the connection's own (`handle(_:inSession:)`).
extension ResponderConnection {
    mutating func dispatchInSession(_ code: RequestCode, header: MessageHeader, request: [UInt8],
                                    sessionID: UInt32) throws -> Dispatched {
        try RequestGate.check(code, version: header.version, state: state, connectionVersion: version, device: device)
        try admitDuringLargeTransfer(code, sessionID: sessionID)
        guard let session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("session ended") }
        // Chunk messages carry any request of the session, in its handshake too (LargeMessages.swift).
        switch code {
        case .chunkSend: return try handleChunkSend(request, sessionID: sessionID)
        case .chunkGet: return try handleChunkGet(request, sessionID: sessionID)
        default: break
        }
        if !session.established {
            switch code {
            case .finish where handshakeInTheClear:
                throw ResponderError.unexpectedRequest("FINISH must come in the clear: both sides have HANDSHAKE_IN_THE_CLEAR_CAP")
            case .finish where !session.usesPSK:
                let (response, followUp) = try handleFinish(request, sessionID: sessionID)
                return Dispatched(response: response, followUp: followUp)
            case .pskFinish where session.usesPSK && session.awaitingFinish:
                let (response, followUp) = try handlePSKFinish(request, sessionID: sessionID)
                return Dispatched(response: response, followUp: followUp)
            case .getEncapsulatedRequest: return Dispatched(response: try handleGetEncapsulatedRequest(request, sessionID: sessionID))
            case .deliverEncapsulatedResponse: return Dispatched(response: try handleDeliverEncapsulatedResponse(request, sessionID: sessionID))
            default: throw ResponderError.unexpectedRequest("\(code) while the session handshake is in progress")
            }
        }
        switch code {
        case .heartbeat: return Dispatched(response: try handleHeartbeat(request))
        case .keyUpdate: return Dispatched(response: try handleKeyUpdate(request, sessionID: sessionID))
        case .endSession: return Dispatched(response: try handleEndSession(request), followUp: .terminate)
        case .getEncapsulatedRequest: return Dispatched(response: try handleGetEncapsulatedRequest(request, sessionID: sessionID))
        case .deliverEncapsulatedResponse: return Dispatched(response: try handleDeliverEncapsulatedResponse(request, sessionID: sessionID))
        case .getCSR: return Dispatched(response: try handleGetCSR(request))
        case .setCertificate: return Dispatched(response: try handleSetCertificate(request, inSession: true))
        case .getKeyPairInfo: return Dispatched(response: try handleGetKeyPairInfo(request))
        case .setKeyPairInfo: return Dispatched(response: try handleSetKeyPairInfo(request))
        case .vendorDefinedRequest: return Dispatched(response: try handleVendorDefinedRequest(request))
        case .getEndpointInfo: return Dispatched(response: try handleGetEndpointInfo(request))
        case .getMeasurementExtensionLog: return Dispatched(response: try handleGetMeasurementExtensionLog(request))
        case .getSupportedEventTypes: return Dispatched(response: try handleGetSupportedEventTypes(request))
        case .subscribeEventTypes: return Dispatched(response: try handleSubscribeEventTypes(request, sessionID: sessionID))
        case .getDigests, .getCertificate, .getMeasurements:
            // The session keeps its own L1/L2 (message M); B/C of the connection are untouched.
            let outer = transcript
            transcript.resetM()
            transcript.appendM(session.messageM)
            transcript.willHandle(request: code, authenticated: state == .authenticated)
            defer {
                sessions[sessionID]?.messageM = transcript.messageM
                transcript = outer
            }
            switch code {
            case .getDigests: return Dispatched(response: try handleGetDigests(request))
            case .getCertificate: return Dispatched(response: try handleGetCertificate(request))
            default: return Dispatched(response: try handleGetMeasurements(request))
            }
        default:
            throw ResponderError.unexpectedRequest("\(code) is not allowed inside a session")
        }
    }

    /// Session-only requests received outside any session.
    func refuseOutsideSession(_ code: RequestCode) -> ResponderError {
        if let version, version >= .v12 {
            return ResponderError(.sessionRequired, "\(code) outside a session")
        }
        return ResponderError.unexpectedRequest("\(code) outside a session")
    }
}
