import Logging
import NIOConcurrencyHelpers
import NIOCore
import SPDMResponder
import SPDMSession
import SPDMTransport
import SPDMWire

/// Drives one connection: platform frames in, platform frames out, strictly request/response.
/// Owns the connection's responder state machine; nothing here is shared with other connections.
final class SPDMConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = PlatformFrame
    typealias OutboundOut = PlatformFrame

    private(set) var responder: ResponderConnection
    let binding: any TransportBinding
    private(set) var logger: Logger
    private let statistics: FleetStatistics
    /// The device as the control API and provisioning left it; read per request (measurements,
    /// provisioned state, fault rules) and at accept time.
    let runtime: DeviceRuntime
    private var deviceGeneration: UInt64
    /// The control API's slot replacement counts this connection has raised events for.
    private var slotReplacements: [UInt8: UInt64]
    /// Commits what this connection's requests acknowledge (ProvisioningCommitter.swift).
    let provisioning: ProvisioningCommitter
    private let connectionID: UInt64
    private(set) var record: ConnectionRecord?
    /// The fault layer between the responder and the transport (Faults/).
    var faults: ConnectionFaults
    /// Frames that arrived while a `delay` fault withholds a response, handled after it is sent.
    var framesBehindDelay: [PlatformFrame]?
    /// The fault decided for the SPDM request inside the secured record being handled, when it acts
    /// on the record rather than the plaintext.
    var faultForRecord: FaultInjection?
    /// The fault decided for the SPDM request inside a session being handled, before the device saw it.
    var faultInSession: FaultInjection?
    private var heartbeats = HeartbeatTimers()
    /// The established sessions the runtime has been told of (compared after every message).
    private var reportedSessions: Set<UInt32> = []
    /// Who the requester is for the device's Negotiated State cache (CACHE_CAP), and what this
    /// connection last stored there.
    private var requesterKey = "unix"
    private var cachedState: CachedNegotiatedState?
    private var cacheCleared = false

    init(runtime: DeviceRuntime, binding: any TransportBinding, logger: Logger, statistics: FleetStatistics) {
        let snapshot = runtime.snapshot()
        let provisioning = ProvisioningCommitter(runtime: runtime, revision: snapshot.device.provisioned.revision)
        self.provisioning = provisioning
        self.responder = ResponderConnection(device: snapshot.device, commitProvisioning: provisioning.commit)
        self.deviceGeneration = snapshot.generation
        self.slotReplacements = runtime.slotReplacements
        self.runtime = runtime
        self.binding = binding
        self.logger = logger
        self.statistics = statistics
        self.faults = ConnectionFaults(device: runtime.faults)
        self.connectionID = Self.nextConnectionID()
        self.logger[metadataKey: "spdm_connection"] = "\(connectionID)"
    }

    /// Connection ids, unique in this process, for logs (SPDM_CONNECTION in the journal).
    private static let connectionCounter = NIOLockedValueBox<UInt64>(0)
    private static func nextConnectionID() -> UInt64 {
        connectionCounter.withLockedValue { $0 += 1; return $0 }
    }

    func channelActive(context: ChannelHandlerContext) {
        record = runtime.connectionOpened(id: connectionID, channel: context.channel)
        logger.debug("connection opened", metadata: ["peer": "\(context.remoteAddress?.description ?? "unix")"])
        resumeNegotiatedState(context.remoteAddress)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        heartbeats.cancelAll()
        if let record { runtime.connectionClosed(record) }
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // Strictly request/response: nothing is handled while a delayed response is withheld.
        if framesBehindDelay != nil {
            framesBehindDelay?.append(frame)
            return
        }
        handle(context, frame)
    }

    func handle(_ context: ChannelHandlerContext, _ frame: PlatformFrame) {
        switch frame.command {
        case .test:
            reply(context, .test, PlatformCommand.serverHello)
        case .shutdown, .continueCommand:
            // The reference responder exits on SHUTDOWN; a fleet daemon ends only this connection.
            logger.debug("platform \(frame.command): ending this connection")
            context.writeAndFlush(wrapOutboundOut(PlatformFrame(command: frame.command, transport: binding.type)))
                .whenComplete { _ in context.close(promise: nil) }
        case .normal:
            capture(frame.payload)
            handleNormal(context, frame.payload)
        case .oobEncapKeyUpdate:
            startEncapsulatedKeyUpdate(frame.payload)
            reply(context, frame.command, [])
        case .oobEncapEndpointInfo:
            // Echoed like the reference responder; the requester then runs the encapsulated flow.
            if responder.armEncapsulatedEndpointInfo() {
                logger.info("encapsulated GET_ENDPOINT_INFO armed")
            } else {
                logger.notice("OOB_ENCAP_ENDPOINT_INFO refused: not a 1.3+ connection, ENCAP_CAP or the requester's EP_INFO_CAP missing, or another encapsulated flow in progress")
            }
            reply(context, frame.command, [])
        default:
            logger.notice("unknown platform command \(frame.command)")
            reply(context, .unknown, [])
        }
    }

    /// OOB_ENCAP_KEY_UPDATE: the payload is the session id (4 bytes, little-endian, as spdm-emu
    /// sends it). The command is always echoed; the requester then runs the encapsulated flow.
    private func startEncapsulatedKeyUpdate(_ payload: [UInt8]) {
        guard payload.count == 4 else {
            logger.notice("OOB_ENCAP_KEY_UPDATE without a 4-byte session id", metadata: ["bytes": "\(payload.count)"])
            return
        }
        let sessionID = payload.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let metadata: Logger.Metadata = ["spdm_session": "0x\(String(sessionID, radix: 16))"]
        if responder.startEncapsulatedKeyUpdate(sessionID: sessionID) {
            logger.info("responder-initiated key update armed", metadata: metadata)
        } else {
            logger.notice("OOB_ENCAP_KEY_UPDATE refused: no such established session, or ENCAP_CAP/KEY_UPD_CAP missing",
                          metadata: metadata)
        }
    }

    private func handleNormal(_ context: ChannelHandlerContext, _ payload: [UInt8]) {
        let message: TransportMessage
        do {
            message = try binding.decode(payload)
        } catch {
            logger.warning("closing connection: \(error)")
            context.close(promise: nil)
            return
        }
        switch message {
        case .spdm(let request):
            deliver(context, respondInTheClear(request)) { [binding] in binding.encode(.spdm($0)) }
            updateHeartbeats(context, active: nil)
        case .bindingControl(let request):
            reply(context, .normal, binding.controlResponse(to: request) ?? [])
        case .securedSPDM(let record):
            handleSecured(context, record)
        case .other(let type, let body):
            logger.info("ignoring application message", metadata: ["message_type": "\(type)", "bytes": "\(body.count)"])
            reply(context, .normal, [])
        }
    }

    /// Hands the connection the measurement table and the provisioned state the device has now,
    /// when either changed (the control API, a reset, or another connection's provisioning).
    /// Called before every request, in the clear and in sessions.
    func refreshDevice() {
        guard let update = runtime.refresh(&deviceGeneration) else { return }
        responder.updateMeasurements(update.measurements, raisingEvents: true)
        responder.updateProvisioned(update.provisioned)
        let replaced = update.slotReplacements.filter { slotReplacements[$0.key] != $0.value }.map(\.key)
        if !replaced.isEmpty { responder.certificatesChanged(slots: replaced) }
        slotReplacements = update.slotReplacements
        provisioning.adopted(update.provisioned.revision)
    }

    /// A CACHE_CAP device's new connection starts from the Negotiated State the same requester left.
    private func resumeNegotiatedState(_ peer: SocketAddress?) {
        guard responder.device.capabilities.contains(.cache) else { return }
        requesterKey = NegotiatedStateCache.requester(peer)
        guard let cached = runtime.negotiatedStates.state(for: requesterKey), responder.resume(from: cached) else { return }
        cachedState = cached
        logger.info("resuming the cached negotiated state", metadata: ["spdm_version": "\(cached.version)"])
    }

    /// After each request of a CACHE_CAP device: keeps the connection's Negotiated State for its
    /// requester, or forgets it once END_SESSION asked to clear it.
    private func cacheNegotiatedState() {
        guard responder.device.capabilities.contains(.cache) else { return }
        if responder.negotiatedStateClearRequested {
            guard !cacheCleared else { return }
            cacheCleared = true
            cachedState = nil
            runtime.negotiatedStates.update(nil, for: requesterKey)
            return
        }
        cacheCleared = false
        guard let current = responder.negotiatedStateToCache, current != cachedState else { return }
        cachedState = current
        runtime.negotiatedStates.update(current, for: requesterKey)
    }

    /// This connection's measurement table from now on (a tamper:measurement fault swaps it for one request).
    func useMeasurements(_ table: MeasurementTable) { responder.updateMeasurements(table) }

    /// This connection's certificate slots from now on (a tamper:chain fault swaps them for one request).
    func useSlots(_ slots: [CertificateSlot]) { responder.updateSlots(slots) }

    /// The responder's answer to an SPDM request in the clear, counted and logged.
    func handleInTheClear(_ request: [UInt8]) -> [UInt8] {
        let outcome = responder.handle(request)
        cacheNegotiatedState()
        let signedMeasurements = outcome.request == .getMeasurements && request.count > 2 && request[2] & 0x01 != 0
        runtime.requestHandled(record, code: outcome.request, error: outcome.error?.code,
                               signedMeasurements: signedMeasurements, version: responder.version)
        reportSessionChanges()
        // The log line's metadata is built only when the line is logged (not per request at notice).
        if let error = outcome.error {
            if logger.logLevel <= .info {
                var metadata = requestMetadata(outcome)
                metadata["spdm_error"] = "\(error.code)"
                logger.info("request refused: \(error.reason)", metadata: metadata)
            }
        } else if logger.logLevel <= .debug {
            logger.debug("request handled", metadata: requestMetadata(outcome))
        }
        return outcome.response
    }

    private func requestMetadata(_ outcome: ResponderConnection.Outcome) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["spdm_request": "\(outcome.request?.description ?? "short")"]
        if let version = responder.version { metadata["spdm_version"] = "\(version)" }
        if let carried = outcome.reassembled { metadata["spdm_chunked_request"] = "\(carried)" }
        return metadata
    }

    /// A DSP0277 secured record: the connection's session layer opens it, handles what is inside
    /// (an SPDM request or an application message) and seals the reply in the same session. A record
    /// that does not authenticate is dropped and answered with ERROR(DecryptError) in the clear.
    private func handleSecured(_ context: ChannelHandlerContext, _ record: [UInt8]) {
        let mctp = binding.type == .mctp
        let geometry = signatureGeometry
        faultForRecord = nil
        faultInSession = nil
        refreshDevice()
        let outcome = responder.handleSecured(
            record, format: mctp ? .mctp : .pciDOE, mctpTyped: mctp,
            beforeSealing: { request, response in rewriteBeforeSealing(request, response, geometry: geometry) },
            answerInstead: { request in answerInSession(request) })
        cacheNegotiatedState()
        if outcome.request != nil || outcome.error != nil {
            // Requests inside a session count like the ones in the clear (metrics, connection list).
            runtime.requestHandled(self.record, code: outcome.request, error: outcome.error?.code,
                                   signedMeasurements: false, version: responder.version)
        }
        if outcome.request == .heartbeat, outcome.error == nil, let sessionID = outcome.sessionID, let connection = self.record {
            runtime.sessionHeartbeat(connection, id: sessionID)
        }
        reportSessionChanges()
        var metadata: Logger.Metadata = [:]
        if let sessionID = outcome.sessionID { metadata["spdm_session"] = "0x\(String(sessionID, radix: 16))" }
        if let request = outcome.request { metadata["spdm_request"] = "\(request)" }
        if let carried = outcome.reassembled { metadata["spdm_chunked_request"] = "\(carried)" }
        if let dropped = outcome.dropped {
            logger.notice("secured message dropped: \(dropped)", metadata: metadata)
        } else if let error = outcome.error {
            metadata["spdm_error"] = "\(error.code)"
            logger.info("request in session refused: \(error.reason)", metadata: metadata)
        } else if let type = outcome.applicationMessageType {
            metadata["message_type"] = "\(type)"
            logger.info("application message in session", metadata: metadata)
        } else {
            logger.debug("request in session handled", metadata: metadata)
        }
        if outcome.sessionEnded { logger.info("session ended", metadata: metadata) }
        updateHeartbeats(context, active: outcome.dropped == nil ? outcome.sessionID : nil)
        if let sealed = outcome.record {
            deliver(context, respondInSession(outcome, sealed: sealed)) { [binding] in binding.encode(.securedSPDM($0)) }
        } else if let plain = outcome.plainResponse {
            reply(context, .normal, binding.encode(.spdm(plain)))
        } else {
            reply(context, .normal, [])
        }
    }

    /// Re-arms the heartbeat watchdog after a message; `active` is the session that just spoke.
    private func updateHeartbeats(_ context: ChannelHandlerContext, active: UInt32?) {
        let periods = responder.heartbeatPeriods
        // Attestation-only traffic (no session with a period, no timer) costs nothing more here.
        guard !periods.isEmpty || heartbeats.isArmed else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        heartbeats.update(periods: periods, active: active, on: context.eventLoop) { id in
            bound.value.heartbeatExpired(id)
        }
    }

    private func heartbeatExpired(_ sessionID: UInt32) {
        heartbeats.fired(sessionID)
        guard responder.expireSession(sessionID) else { return }
        reportSessionChanges()
        logger.notice("session terminated: no message within twice its HeartbeatPeriod",
                      metadata: ["spdm_session": "0x\(String(sessionID, radix: 16))"])
    }

    /// Tells the runtime which sessions were established or ended by the last message (the state
    /// machine knows; the control API and metrics read the runtime). Connections without sessions
    /// return at the first check.
    private func reportSessionChanges() {
        guard let record, responder.hasSessions || !reportedSessions.isEmpty else { return }
        let established = responder.establishedSessions
        let current = Set(established.map(\.id))
        guard current != reportedSessions else { return }
        for session in established where !reportedSessions.contains(session.id) {
            runtime.sessionStarted(record, session, algorithms: responder.negotiated)
            logger.info("session established", metadata: ["spdm_session": "0x\(String(session.id, radix: 16))",
                                                          "spdm_session_kind": "\(session.kind.rawValue)"])
        }
        for id in reportedSessions.subtracting(current) {
            runtime.sessionEnded(record, id: id)
        }
        reportedSessions = current
    }

    func reply(_ context: ChannelHandlerContext, _ command: PlatformCommand, _ payload: [UInt8]) {
        if command == .normal { capture(payload) }
        context.writeAndFlush(wrapOutboundOut(PlatformFrame(command: command, transport: binding.type, payload: payload)), promise: nil)
    }

    /// Hands a NORMAL frame's payload to the device's capture, when one runs.
    private func capture(_ payload: [UInt8]) {
        if let failure = runtime.capture.record(payload) { logger.error("\(failure)") }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Framing errors (oversized or foreign frames) end this connection, never the daemon.
        runtime.counters.framingError()
        logger.warning("closing connection: \(error)")
        context.close(promise: nil)
    }
}
