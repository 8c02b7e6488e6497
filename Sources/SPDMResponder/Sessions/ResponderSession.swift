import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// One session of a responder connection.
struct ResponderSession: Sendable {
    let id: UInt32
    let usesPSK: Bool
    var secrets: SessionSecrets
    /// The session transcript bytes so far: A || Ct || K (|| F), hashed for TH1/TH2 and verify data.
    var transcript: [UInt8]
    /// PSK sessions without PSK_FINISH are established right after PSK_EXCHANGE_RSP.
    var awaitingFinish: Bool
    /// L1/L2 of GET_MEASUREMENTS inside this session.
    var messageM: [UInt8] = []
    var lastKeyUpdate: KeyUpdateOperation?
    var version: SPDMVersion
    /// HeartbeatPeriod sent in KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP, in seconds (0: none).
    var heartbeatPeriod: UInt8 = 0
    /// KEY_EXCHANGE_RSP MutAuthRequested: FINISH must then carry the requester's signature.
    var mutAuthRequested: UInt8 = 0
    /// The requester's verified chain for that signature (provisioned, or from the encapsulated flow).
    var requesterIdentity: RequesterIdentity?
    /// The session's event subscription and the events waiting for it (Events/SessionEvents.swift).
    var events = SessionEvents()

    var established: Bool { secrets.phase == .established }
}

/// What to do once an in-session response has been sealed.
enum SessionFollowUp: Sendable {
    case none
    case establish(th2Hash: [UInt8])
    case terminate
}

/// The sessions of a connection: which are open, their heartbeats, ending one.
extension ResponderConnection {
    /// The session ids open on this connection.
    public var openSessionIDs: [UInt32] { sessions.keys.sorted() }

    /// The established sessions that promised a HeartbeatPeriod, with it in seconds. DSP0274
    /// §10.19: without a HEARTBEAT or another message in the session for twice that period, the
    /// responder terminates the session. This state machine has no clock: the daemon times it and
    /// calls `expireSession`.
    public var heartbeatPeriods: [UInt32: UInt8] {
        sessions.filter { $0.value.established && $0.value.heartbeatPeriod > 0 }.mapValues(\.heartbeatPeriod)
    }

    /// Ends session `sessionID` without a message (its heartbeat timed out); false if it is not open.
    @discardableResult
    public mutating func expireSession(_ sessionID: UInt32) -> Bool {
        guard let ended = sessions.removeValue(forKey: sessionID) else { return false }
        droppedRecordCount += ended.secrets.droppedRecords
        if encapsulated?.belongs(to: sessionID) == true { encapsulated = nil }
        largeMessages.abandon(session: sessionID)
        return true
    }

    /// Records dropped because they did not authenticate, over all sessions (open and ended).
    public var droppedSecuredRecords: Int { droppedRecordCount + sessions.values.reduce(0) { $0 + $1.secrets.droppedRecords } }
}
