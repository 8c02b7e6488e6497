import SPDMRequester

/// What `spdmctl session` reports, as text or --json.
struct SessionRunReport: Encodable {
    var ok: Bool
    var error: String?
    /// The kind of the failed check (FailedCheck), which is also the exit status's meaning.
    var failedCheck: FailedCheck?
    var endpoint: String
    var transport: String
    var version: String?
    var dhe: String?
    /// SPDM 1.4 KEMAlg (ML_KEM_768, ...): KEY_EXCHANGE encapsulates instead of DHE.
    var kem: String?
    var aead: String?
    /// The responder's signature algorithm: BaseAsymSel, or at 1.4 PqcAsymSel (ML_DSA_65, ...).
    var asym: String?
    /// The requester's, for mutual authentication: ReqBaseAsymAlg or ReqPqcAsymAlg.
    var requesterAsym: String?
    var sessions: [SessionReport]
    var verified: [String]
    /// The events received with --subscribe-events, one line each.
    var events: [String] = []

    struct SessionReport: Encodable {
        var sessionID: String
        var mode: String
        var encrypted: Bool
        var heartbeatPeriod: UInt8
        var securedMessageVersion: String?
        /// MutAuthRequested of KEY_EXCHANGE_RSP when the responder asked: key_exchange, encapsulated, encapsulated_digests.
        var mutualAuth: String?
        var handshakeInTheClear = false
        var responderKeyUpdate = false
        var responderEndpointInfo = false
        /// ENDPOINT_INFO inside the session: "signed" or "unsigned".
        var endpointInfo: String?
        /// Entries of the measurement extension log retrieved inside the session.
        var logEntries: Int?
        var heartbeat = false
        var keyUpdate = false
        var measurementCount: Int?
        var measurementsSigned = false
        var ended = false
    }

    mutating func fail(_ message: String, _ kind: FailedCheck) {
        error = message
        failedCheck = kind
    }

    static func mutualAuthName(_ requested: UInt8) -> String? {
        switch requested {
        case 0x01: return "key_exchange"
        case 0x02: return "encapsulated"
        case 0x04: return "encapsulated_digests"
        default: return nil
        }
    }
}
