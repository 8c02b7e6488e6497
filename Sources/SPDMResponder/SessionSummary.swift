import SPDMWire

/// What the daemon shows of one established session (control API, metrics): the state machine
/// keeps the secrets, this is the public face of a session.
public struct SessionSummary: Sendable, Hashable {
    /// How the session's secrets were agreed (DSP0274 §10.15 KEY_EXCHANGE or §10.17 PSK_EXCHANGE).
    public enum Kind: String, Sendable {
        case keyExchange = "KEY_EXCHANGE"
        case psk = "PSK"
    }

    public var id: UInt32
    public var kind: Kind
    public var version: SPDMVersion
    /// The HeartbeatPeriod promised in KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP, in seconds (0: none).
    public var heartbeatPeriod: UInt8
    /// KEY_EXCHANGE_RSP asked the requester to authenticate (MutAuthRequested != 0).
    public var mutualAuthentication: Bool
}

extension ResponderConnection {
    /// True while any session is open on this connection, established or in its handshake. Cheap:
    /// the daemon asks after every message, and attestation-only connections stop here.
    public var hasSessions: Bool { !sessions.isEmpty }

    /// The established sessions of this connection, by session id.
    public var establishedSessions: [SessionSummary] {
        sessions.values.filter(\.established).sorted { $0.id < $1.id }.map {
            SessionSummary(id: $0.id, kind: $0.usesPSK ? .psk : .keyExchange, version: $0.version,
                           heartbeatPeriod: $0.heartbeatPeriod, mutualAuthentication: $0.mutAuthRequested != 0)
        }
    }
}
