import SPDMCore
import SPDMCrypto
import SPDMWire

/// The pure responder state machine of one connection: fed one request message, returns one
/// response message. No I/O, no clock, no files; randomness is injected.
///
/// Each handler (Handlers/<Request>.swift) runs in four phases like libspdm's: validate the request,
/// process it, build the response, then update the connection state — the state changes only once
/// the response is fully built, so a failed request leaves the connection as it was.
public struct ResponderConnection: Sendable {
    public private(set) var device: ResponderDevice
    let random: any RandomSource
    /// Persists acknowledged provisioning before the response leaves (Provisioning/ProvisionedState.swift).
    let commitProvisioning: ProvisioningCommit

    public internal(set) var state: ConnectionState = .notStarted
    /// The version GET_CAPABILITIES fixed for this connection.
    public internal(set) var version: SPDMVersion?
    public internal(set) var negotiated: NegotiatedAlgorithms?
    public internal(set) var peer = PeerCapabilities()
    var transcript = Transcript()
    /// Open sessions by session id (Sessions/ResponderSession.swift).
    var sessions: [UInt32: ResponderSession] = [:]
    /// Secured records dropped outside any open session's own count (unknown ids, ended sessions).
    var droppedRecordCount = 0
    /// The encapsulated request flow in progress (mutual authentication; Handlers/Encapsulated.swift).
    var encapsulated: EncapsulatedFlow?
    /// The requester authenticated by basic mutual authentication (CHALLENGE, SPDM 1.1).
    var requesterIdentity: RequesterIdentity?
    /// The EPInfo the requester last answered an encapsulated GET_ENDPOINT_INFO with (EncapsulatedEndpointInfo.swift).
    public internal(set) var requesterEndpointInfo: [UInt8]?
    /// The session the last KEY_EXCHANGE opened: a FINISH in the clear belongs to it.
    var latestKeyExchangeSessionID: UInt32?
    /// An END_SESSION asked to clear the cached Negotiated State (SessionControl.swift).
    public internal(set) var negotiatedStateClearRequested = false
    /// The large message (CHUNK_SEND / CHUNK_GET) transfer in progress (LargeMessages.swift).
    var largeMessages = LargeMessageTransfers()

    public init(device: ResponderDevice, random: any RandomSource = SystemRandom(),
                commitProvisioning: @escaping ProvisioningCommit = { _, _ in }) {
        self.device = device
        self.random = random
        self.commitProvisioning = commitProvisioning
    }

    /// Takes the provisioning another connection of the device acknowledged (the daemon publishes
    /// it): GET_DIGESTS and GET_CERTIFICATE on this connection serve it from the next request.
    public mutating func updateProvisioned(_ state: ProvisionedState) {
        raiseCertificateChanges(from: device.provisioned, to: state)
        device.provisioned = state
    }

    /// Where a provisioning handler records what it acknowledged (the last step of its request): the
    /// commit point sees the new `revision` and persists the state before the response leaves.
    mutating func record(_ provisioned: ProvisionedState) {
        raiseCertificateChanges(from: device.provisioned, to: provisioned)
        device.provisioned = provisioned
    }

    /// Replaces the device's measurement table (the daemon's control API changed a value): later
    /// GET_MEASUREMENTS on this connection report the new values. Nothing else of the device changes.
    /// `raisingEvents`: a real change of the device (not a fault's stand-in table) raises
    /// MeasurementChanged in the subscribed sessions (Events/EventRaising.swift).
    public mutating func updateMeasurements(_ measurements: MeasurementTable, raisingEvents: Bool = false) {
        if raisingEvents { raiseMeasurementChanges(from: device.measurements, to: measurements) }
        device.measurements = measurements
    }

    /// Replaces the device's certificate slots on this connection (the daemon's fault layer serves a
    /// tampered chain for a request). Nothing else of the device changes; slots without a key pair
    /// keep the one the slot of that id had.
    public mutating func updateSlots(_ slots: [CertificateSlot]) {
        let previous = device.slots
        device.slots = slots.map { slot in
            guard slot.keyPairID == 0 else { return slot }
            var updated = slot
            updated.keyPairID = previous.first { $0.id == slot.id }?.keyPairID ?? 0
            return updated
        }
    }

    /// What the requester said of itself in GET_CAPABILITIES.
    public struct PeerCapabilities: Sendable, Hashable {
        public var flags: CapabilityFlags = []
        public var ctExponent: UInt8 = 0
        public var dataTransferSize: UInt32 = 0
        public var maxSPDMMessageSize: UInt32 = 0
    }

    /// The outcome of one request, for logging and metrics.
    public struct Outcome: Sendable {
        public var request: RequestCode?
        public var response: [UInt8]
        /// Why the request failed; for a last CHUNK_SEND, why the request it carried failed.
        public var error: ResponderError?
        /// The request a last CHUNK_SEND carried (reassembled from its chunks).
        public var reassembled: RequestCode? = nil
        /// Inside a session: what to do once the response is sealed.
        var followUp: SessionFollowUp = .none
    }

    /// Handles one SPDM request message and returns the response message.
    public mutating func respond(to request: [UInt8]) -> [UInt8] {
        handle(request).response
    }

    public mutating func handle(_ request: [UInt8]) -> Outcome {
        handle(request, inSession: nil)
    }

    /// The one entry path of every SPDM request: in the clear (`sessionID` nil) or inside session
    /// `sessionID` (Sessions/SecuredRecords.swift opens the record first). The header is read, the
    /// request dispatched through the commit point, and any error turned into the ERROR message.
    mutating func handle(_ request: [UInt8], inSession sessionID: UInt32?) -> Outcome {
        guard request.count >= MessageHeader.size, let header = try? MessageHeader(peeking: request) else {
            let error = ResponderError.invalidRequest("message shorter than the 4-byte SPDM header")
            return Outcome(request: nil, response: errorResponse(error), error: error)
        }
        let code = RequestCode(rawValue: header.code)
        do {
            let handled = try committing(in: sessionID) { connection in
                if let sessionID {
                    return try connection.dispatchInSession(code, header: header, request: request, sessionID: sessionID)
                }
                return try connection.dispatch(code, header: header, request: request)
            }
            return Outcome(request: code, response: handled.response, error: handled.carriedError,
                           reassembled: handled.reassembled, followUp: handled.followUp)
        } catch let error as ResponderError {
            return Outcome(request: code, response: errorResponse(error, to: code, requestVersion: header.version), error: error)
        } catch {
            let mapped = ResponderError(decoding: error)
            return Outcome(request: code, response: errorResponse(mapped, to: code, requestVersion: header.version), error: mapped)
        }
    }

    mutating func dispatch(_ code: RequestCode, header: MessageHeader, request: [UInt8]) throws -> Dispatched {
        try RequestGate.check(code, version: header.version, state: state, connectionVersion: version, device: device)
        try admitDuringLargeTransfer(code, sessionID: nil)
        switch code {
        case .respondIfReady: return Dispatched(response: try handleRespondIfReady(request))
        // Chunk messages never touch the transcripts (LargeMessages.swift).
        case .chunkSend: return try handleChunkSend(request, sessionID: nil)
        case .chunkGet: return try handleChunkGet(request, sessionID: nil)
        default: break
        }
        transcript.willHandle(request: code, authenticated: state == .authenticated)
        let response: [UInt8]
        switch code {
        case .getVersion: response = try handleGetVersion(request)
        case .getCapabilities: response = try handleGetCapabilities(request)
        case .negotiateAlgorithms: response = try handleNegotiateAlgorithms(request)
        case .getDigests: response = try handleGetDigests(request)
        case .getCertificate: response = try handleGetCertificate(request)
        case .challenge: response = try handleChallenge(request)
        case .getMeasurements: response = try handleGetMeasurements(request)
        case .keyExchange: response = try handleKeyExchange(request)
        case .pskExchange: response = try handlePSKExchange(request)
        case .getEncapsulatedRequest: response = try handleGetEncapsulatedRequest(request, sessionID: clearHandshakeFlowSessionID)
        case .deliverEncapsulatedResponse: response = try handleDeliverEncapsulatedResponse(request, sessionID: clearHandshakeFlowSessionID)
        case .finish where handshakeInTheClear: response = try handleFinishInTheClear(request)
        case .getCSR: response = try handleGetCSR(request)
        case .setCertificate: response = try handleSetCertificate(request, inSession: false)
        case .getKeyPairInfo: response = try handleGetKeyPairInfo(request)
        case .setKeyPairInfo: response = try handleSetKeyPairInfo(request)
        case .getEndpointInfo: response = try handleGetEndpointInfo(request)
        case .getMeasurementExtensionLog: response = try handleGetMeasurementExtensionLog(request)
        case .vendorDefinedRequest: response = try handleVendorDefinedRequest(request)
        case .finish, .pskFinish, .heartbeat, .keyUpdate, .endSession: throw refuseOutsideSession(code)
        case .getSupportedEventTypes, .subscribeEventTypes: throw refuseOutsideSession(code)
        default: throw ResponderError.unsupportedRequest(code)
        }
        return Dispatched(response: response)
    }

    /// The commit point of every request, in the clear or in a session: `body` runs on a copy of the
    /// connection and its response goes through the one size decision (`settle`: send it, or keep it
    /// for CHUNK_GET and answer ERROR(LargeResponse), or ERROR(ResponseTooLarge)); the copy replaces
    /// this connection only once the response is settled and any provisioning it acknowledged is
    /// committed (persisted). If the size decision or the commit throws, the request is answered with
    /// that ERROR and the connection is as it was before the request.
    mutating func committing(in sessionID: UInt32?, _ body: (inout ResponderConnection) throws -> Dispatched) throws -> Dispatched {
        var next = self
        let result: Dispatched
        do {
            result = try next.settle(try body(&next), in: sessionID)
        } catch let error as ResponderError where error.keepsStateChanges {
            try adopt(next)
            throw error
        }
        try adopt(next)
        return result
    }

    /// Makes `next` this connection, committing the provisioning it acknowledged first. A commit
    /// may answer with an ERROR of its own (the daemon's Busy: another connection of the device
    /// committed first, retry); any other failure to persist is ERROR(Unspecified).
    private mutating func adopt(_ next: ResponderConnection) throws {
        if next.device.provisioned.revision != device.provisioned.revision {
            do {
                try commitProvisioning(device.name, next.device.provisioned)
            } catch let error as ResponderError {
                throw error
            } catch {
                throw ResponderError.unspecified("the device could not persist what it would acknowledge: \(error)")
            }
        }
        self = next
    }

    /// The single place an error becomes an ERROR message. Its version: 1.0 for GET_VERSION
    /// (DSP0274 §10.3), the connection's once GET_CAPABILITIES fixed one, before that the request's
    /// own version when this device offers it (a refused GET_CAPABILITIES 1.2 is answered as 1.2),
    /// else 1.0.
    func errorResponse(_ error: ResponderError, to code: RequestCode? = nil, requestVersion: SPDMVersion? = nil) -> [UInt8] {
        let offered = requestVersion.flatMap { device.versions.contains($0) ? $0 : nil }
        let errorVersion = code == .getVersion ? .v10 : (version ?? offered ?? .v10)
        return ErrorResponse(version: errorVersion, code: error.code, data: error.data, extendedData: error.extendedData)
            .encoded(context: .unnegotiated(errorVersion))
    }

    /// Requires the negotiated algorithms (the gate has already checked the state).
    var algorithms: NegotiatedAlgorithms {
        get throws {
            guard let negotiated else { throw ResponderError.unexpectedRequest("algorithms not negotiated") }
            return negotiated
        }
    }

    /// Signs `transcript` with the slot's key under the negotiated algorithms and the DSP0274 signing
    /// context (1.2+ prefix); a failure is ERROR(Unspecified), never a crash.
    func sign(_ transcript: [UInt8], with slot: ServedSlot, context: String) throws -> [UInt8] {
        let algorithms = try algorithms
        guard let hash = algorithms.hash, let asym = algorithms.signing else {
            throw ResponderError.unexpectedRequest("no hash/asym negotiated")
        }
        guard let key = slot.signingKey, key.matches(asym) else {
            throw ResponderError.unspecified("slot \(slot.id) has no key that signs with the negotiated algorithm")
        }
        do {
            return try SigningContext.sign(key: key, algorithm: asym, hash: hash, version: algorithms.version,
                                           context: context, transcript: transcript)
        } catch {
            throw ResponderError.unspecified("signing (\(context)) failed: \(error)")
        }
    }

    /// Returns the nonce/random bytes for a response.
    func randomBytes(_ count: Int) -> [UInt8] { random.bytes(count) }
}
