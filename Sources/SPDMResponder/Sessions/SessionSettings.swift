import SPDMCrypto

/// Per-device session settings (DSP0274 §10.15-10.20).
public struct SessionSettings: Sendable {
    /// HeartbeatPeriod of KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP when both sides have HBEAT_CAP (0: none).
    public var heartbeatPeriod: UInt8 = 0
    /// Most sessions open at once on one connection.
    public var maxSessions: Int = 4
    /// The TID answered to PLDM GetTID inside a session.
    public var pldmTID: UInt8 = 1
    /// Pre-shared keys by hint.
    public var psks: [PSK] = []

    public struct PSK: Sendable {
        public var hint: [UInt8]
        public var key: [UInt8]
        public init(hint: [UInt8], key: [UInt8]) {
            self.hint = hint
            self.key = key
        }
    }

    public init() {}

    /// The key for `hint`. An empty hint with no explicit empty-hint entry uses the first PSK
    /// (the reference requester sends an empty hint for its default PSK).
    public func psk(forHint hint: [UInt8]) -> [UInt8]? {
        if let entry = psks.first(where: { constantTimeEquals($0.hint, hint) }) { return entry.key }
        return hint.isEmpty ? psks.first?.key : nil
    }
}
