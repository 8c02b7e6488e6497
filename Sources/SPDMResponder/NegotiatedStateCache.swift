import SPDMCore
import SPDMWire

/// The Negotiated State of a connection (DSP0274 §10.4 CACHE_CAP; the "Negotiated State" of the
/// connection flow): what GET_VERSION, GET_CAPABILITIES and NEGOTIATE_ALGORITHMS fixed, with the VCA
/// transcript (message A) later signatures and key schedules cover. A device with CACHE_CAP keeps it
/// past the end of a connection, so a requester that saved it (spdm_requester_emu --save_state /
/// --load_state) resumes without VCA; END_SESSION with the Negotiated State Clearing Indicator
/// asks the device to drop it.
public struct CachedNegotiatedState: Sendable, Hashable {
    public var version: SPDMVersion
    public var peer: ResponderConnection.PeerCapabilities
    public var algorithms: NegotiatedAlgorithms
    /// Transcript A: GET_VERSION .. ALGORITHMS as exchanged.
    public var vca: [UInt8]
}

extension ResponderConnection {
    /// What a CACHE_CAP device keeps of this connection: its Negotiated State once VCA is done, nil
    /// before, without CACHE_CAP, or after an END_SESSION asked to clear it.
    ///
    /// The multi-key connection (MULTI_KEY_CONN_REQ / MULTI_KEY_CONN_RSP of ALGORITHMS) is not
    /// kept: the state a requester saves in DMTF's format (spdm-emu's negotiated-state file: version,
    /// capabilities, algorithms, VCA) has no field for it, so the resumed requester reads DIGESTS and
    /// CERTIFICATE in their single-key forms, as DMTF's own responder serves them after a load.
    public var negotiatedStateToCache: CachedNegotiatedState? {
        guard device.capabilities.contains(.cache), !negotiatedStateClearRequested, state >= .negotiated,
              let version, var negotiated else { return nil }
        negotiated.multiKeyConnectionResponder = false
        negotiated.multiKeyConnectionRequester = false
        return CachedNegotiatedState(version: version, peer: peer, algorithms: negotiated, vca: transcript.vca)
    }

    /// Starts a new connection of a CACHE_CAP device from the Negotiated State an earlier
    /// connection of the same requester left: the connection is negotiated without VCA (a
    /// GET_VERSION still starts over). Refused (false) without CACHE_CAP, once the connection has
    /// begun, or when the state no longer fits the device (a version it does not offer).
    @discardableResult
    public mutating func resume(from cached: CachedNegotiatedState) -> Bool {
        guard device.capabilities.contains(.cache), state == .notStarted, device.versions.contains(cached.version),
              cached.algorithms.version == cached.version else { return false }
        version = cached.version
        peer = cached.peer
        negotiated = cached.algorithms
        transcript.reset()
        transcript.appendVCA(cached.vca)
        state = .negotiated
        return true
    }
}
