import SPDMWire

/// The one table that says which request is legal in which connection state and which capability
/// it needs (DSP0274 §9 "Generic connection flow" and the per-message "Responder shall" rules).
/// Anything not in the table is answered with ERROR(UnsupportedRequest, code).
public enum RequestGate {
    public struct Rule: Sendable {
        /// The state the connection must be in exactly (VCA steps), or nil.
        public var exactState: ConnectionState?
        /// The least state the connection must have reached.
        public var minimumState: ConnectionState
        /// The device must advertise at least one of these capabilities (empty: none needed).
        public var anyCapability: CapabilityFlags
        /// The least connection version the request exists at (older: UnsupportedRequest).
        public var minimumVersion: SPDMVersion?

        public init(exactState: ConnectionState? = nil, minimumState: ConnectionState = .notStarted,
                    anyCapability: CapabilityFlags = [], minimumVersion: SPDMVersion? = nil) {
            self.exactState = exactState
            self.minimumState = minimumState
            self.anyCapability = anyCapability
            self.minimumVersion = minimumVersion
        }
    }

    public static let rules: [RequestCode: Rule] = [
        .getVersion: Rule(),
        .getCapabilities: Rule(exactState: .afterVersion),
        .negotiateAlgorithms: Rule(exactState: .afterCapabilities),
        .getDigests: Rule(minimumState: .negotiated, anyCapability: .cert),
        .getCertificate: Rule(minimumState: .negotiated, anyCapability: .cert),
        .challenge: Rule(minimumState: .negotiated, anyCapability: .chal),
        .getMeasurements: Rule(minimumState: .negotiated, anyCapability: .measurementsAny),
        .respondIfReady: Rule(minimumState: .afterVersion),
        // Sessions (DSP0274 §10.15-10.21); the session-only ones are refused outside a session.
        .keyExchange: Rule(minimumState: .negotiated, anyCapability: .keyEx),
        .finish: Rule(minimumState: .negotiated, anyCapability: .keyEx),
        .pskExchange: Rule(minimumState: .negotiated, anyCapability: .pskAny),
        .pskFinish: Rule(minimumState: .negotiated, anyCapability: .pskWithContext),
        .heartbeat: Rule(minimumState: .negotiated, anyCapability: .heartbeat),
        .keyUpdate: Rule(minimumState: .negotiated, anyCapability: .keyUpdate),
        // Encapsulated requests (DSP0274 §10.14): mutual authentication, responder-initiated KEY_UPDATE.
        .getEncapsulatedRequest: Rule(minimumState: .negotiated, anyCapability: .encap),
        .deliverEncapsulatedResponse: Rule(minimumState: .negotiated, anyCapability: .encap),
        .endSession: Rule(minimumState: .negotiated, anyCapability: [.keyEx, .pskWithoutContext, .pskWithContext]),
        // Large SPDM message transfer (DSP0274 1.2+): from the first request after CAPABILITIES on,
        // NEGOTIATE_ALGORITHMS / ALGORITHMS included (LargeMessages.swift).
        .chunkSend: Rule(minimumState: .afterCapabilities, anyCapability: .chunk, minimumVersion: .v12),
        .chunkGet: Rule(minimumState: .afterCapabilities, anyCapability: .chunk, minimumVersion: .v12),
        // Provisioning (DSP0274 §10.22-10.26), in the clear and inside sessions.
        .getCSR: Rule(minimumState: .negotiated, anyCapability: .csr, minimumVersion: .v12),
        .setCertificate: Rule(minimumState: .negotiated, anyCapability: .setCert, minimumVersion: .v12),
        .getKeyPairInfo: Rule(minimumState: .negotiated, anyCapability: .getKeyPairInfo, minimumVersion: .v13),
        .setKeyPairInfo: Rule(minimumState: .negotiated, anyCapability: .setKeyPairInfo, minimumVersion: .v13),
        // Endpoint info and the measurement extension log (DSP0274 1.3), in the clear and inside sessions.
        .getEndpointInfo: Rule(minimumState: .negotiated, anyCapability: [.endpointInfoNoSignature, .endpointInfoWithSignature],
                               minimumVersion: .v13),
        .getMeasurementExtensionLog: Rule(minimumState: .negotiated, anyCapability: .mel, minimumVersion: .v13),
        // Vendor-defined (DSP0274 §10.20): answered by the device's configured handlers, or UnsupportedRequest.
        .vendorDefinedRequest: Rule(minimumState: .negotiated),
        // Events (DSP0274 1.3 §10.27), session only.
        .getSupportedEventTypes: Rule(minimumState: .negotiated, anyCapability: .event, minimumVersion: .v13),
        .subscribeEventTypes: Rule(minimumState: .negotiated, anyCapability: .event, minimumVersion: .v13),
    ]

    /// Checks `code` against the table. `version` is what the request header carries and
    /// `connectionVersion` what GET_CAPABILITIES fixed (nil before).
    public static func check(_ code: RequestCode, version: SPDMVersion, state: ConnectionState,
                             connectionVersion: SPDMVersion?, device: ResponderDevice) throws {
        guard let rule = rules[code] else { throw ResponderError.unsupportedRequest(code) }
        if !rule.anyCapability.isEmpty && device.capabilities.intersection(rule.anyCapability).isEmpty {
            throw ResponderError.unsupportedRequest(code)
        }
        if let minimum = rule.minimumVersion, (connectionVersion ?? version) < minimum {
            throw ResponderError.unsupportedRequest(code)
        }
        switch code {
        case .getVersion:
            guard version == .v10 else { throw ResponderError.versionMismatch("GET_VERSION must be sent as 1.0, got \(version)") }
        case .getCapabilities:
            guard state != .notStarted else { throw ResponderError.unexpectedRequest("GET_CAPABILITIES before GET_VERSION") }
            guard device.versions.contains(version) else {
                throw ResponderError.versionMismatch("GET_CAPABILITIES at \(version), which this device does not offer")
            }
        default:
            guard state != .notStarted else { throw ResponderError.unexpectedRequest("\(code) before GET_VERSION") }
            if let connectionVersion, version != connectionVersion {
                throw ResponderError.versionMismatch("\(code) at \(version) on a \(connectionVersion) connection")
            }
        }
        if let minimum = rule.minimumVersion, let connectionVersion, connectionVersion < minimum {
            throw ResponderError.unsupportedRequest(code)
        }
        if let exact = rule.exactState, state != exact {
            throw ResponderError.unexpectedRequest("\(code) in state \(state)")
        }
        guard state >= rule.minimumState else {
            throw ResponderError.unexpectedRequest("\(code) in state \(state)")
        }
    }
}
