import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMSession
import SPDMWire

/// One `spdmctl session` run, phase by phase: VCA, the certificate chain, every session opened,
/// each exercised (HEARTBEAT, KEY_UPDATE, the responder's own KEY_UPDATE, MEASUREMENTS), held, then
/// ended. Each phase adds what it verified to `document`; the first failure throws.
struct SessionRun {
    struct Plan {
        var slot: UInt8
        var sessions: Int
        /// PSK_EXCHANGE with this hint and key instead of KEY_EXCHANGE.
        var psk: (hint: [UInt8], key: [UInt8])?
        /// GET_DIGESTS and GET_CERTIFICATE before the sessions (KEY_EXCHANGE needs the chain).
        var fetchChain: Bool
        var responderKeyUpdate: Bool
        var responderEndpointInfo: Bool
        var hold: Double
        /// Subscribe every session to all events, then watch for them (SessionEventWatch) for
        /// `hold` seconds (0: no limit) or until `eventCount` arrived.
        var subscribeEvents = false
        var eventCount: Int? = nil
        /// Each event as it arrives (printed at once by the command).
        var onEvent: (String) -> Void = { _ in }
        /// The responder's raw public key (SlotID 0xFF), provisioned once VCA is done.
        var responderPublicKey: PublicKey? = nil
    }

    let plan: Plan
    let client: PlatformSocketClient
    var requester: RequesterConnection
    let channel: SecuredChannel
    var document: SessionRunReport
    private var flags: CapabilityFlags = []
    private var hasChain = false
    private var open: [RequesterSession] = []

    init(plan: Plan, client: PlatformSocketClient, requester: RequesterConnection, channel: SecuredChannel, document: SessionRunReport) {
        self.plan = plan
        self.client = client
        self.requester = requester
        self.channel = channel
        self.document = document
    }

    private var plain: ([UInt8]) throws -> [UInt8] { { [client] in try client.exchangeSPDM($0) } }
    private var secured: SecuredExchange { { [client] in try client.exchangeSecured($0) } }

    mutating func perform() throws {
        try negotiate()
        if let key = plan.responderPublicKey {
            requester.provisionResponderPublicKey(key)
            hasChain = true
            document.verified.append("slot 0xFF: the responder's raw public key, provisioned (PUB_KEY_ID_CAP)")
        } else if flags.contains(.cert) && plan.fetchChain { try fetchChain() }
        // Open every session first, then exercise them one after the other, then end them.
        for index in 0..<plan.sessions { try openSession(requesterSessionID: UInt16(0xFFFF - index)) }
        for index in open.indices { try exercise(index) }
        if plan.subscribeEvents {
            try watchEvents()
        } else if plan.hold > 0 {
            try SessionHold(seconds: plan.hold, heartbeats: flags.contains(.heartbeat)).run(&open, requester: requester, via: secured)
        }
        for index in open.indices { try end(index) }
        document.ok = true
    }

    private mutating func negotiate() throws {
        for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
            _ = try requester.perform(operation, exchange: plain)
        }
        guard let algorithms = requester.negotiated, let flags = requester.responderCapabilities?.flags else {
            throw RequesterError.invalidState("no algorithms negotiated")
        }
        self.flags = flags
        document.version = algorithms.version.description
        document.dhe = DHEGroup(algorithms.dhe)?.rawValue
        document.kem = algorithms.kem.flatMap { kem in KEMAlgorithms.named.first { $0.1 == KEMAlgorithms(kem) }?.0 }
        document.asym = algorithms.signing?.name
        document.requesterAsym = algorithms.requesterSigning?.name
        document.aead = AEADAlgorithm(algorithms.aead).map { "\($0)" }
        document.verified.append("VCA: SPDM \(algorithms.version)")
    }

    private mutating func fetchChain() throws {
        _ = try requester.perform(.getDigests, exchange: plain)
        guard case .certificateChain(let chain) = try requester.perform(.getCertificate(slot: plan.slot), exchange: plain) else {
            throw RequesterError.invalidState("unexpected event for GET_CERTIFICATE")
        }
        hasChain = chain.anchored
        document.verified.append("slot \(plan.slot) certificate chain to a trusted root")
    }

    private mutating func openSession(requesterSessionID: UInt16) throws {
        let session: RequesterSession
        if let psk = plan.psk {
            session = try requester.pskExchange(hint: psk.hint, psk: psk.key, requesterSessionID: requesterSessionID, channel: channel,
                                                exchange: plain, secured: secured)
        } else {
            session = try requester.keyExchange(slot: plan.slot, requesterSessionID: requesterSessionID, channel: channel,
                                                exchange: plain, secured: secured)
        }
        open.append(session)
        let name = "session 0x" + String(session.sessionID, radix: 16)
        document.sessions.append(SessionRunReport.SessionReport(
            sessionID: "0x" + String(session.sessionID, radix: 16), mode: plan.psk == nil ? "key-exchange" : "psk",
            encrypted: session.encrypts, heartbeatPeriod: session.heartbeatPeriod,
            securedMessageVersion: session.securedMessageVersion.map { "\($0 >> 12).\(($0 >> 8) & 0xF)" },
            mutualAuth: SessionRunReport.mutualAuthName(session.mutAuthRequested), handshakeInTheClear: session.handshakeInTheClear))
        if plan.psk != nil {
            document.verified.append("\(name): PSK_EXCHANGE_RSP ResponderVerifyData\(flags.contains(.pskWithContext) ? ", PSK_FINISH" : "")")
        } else if session.handshakeInTheClear {
            document.verified.append("\(name): KEY_EXCHANGE_RSP signature over TH with the leaf key, FINISH in the clear, FINISH_RSP ResponderVerifyData")
        } else {
            document.verified.append("\(name): KEY_EXCHANGE_RSP signature over TH with the leaf key, ResponderVerifyData, FINISH")
        }
        if session.mutuallyAuthenticated {
            document.verified.append("\(name): mutual authentication (MutAuthRequested 0x\(String(session.mutAuthRequested, radix: 16))), "
                + "FINISH signed with the requester key, slot \(session.requesterSlotID)")
        }
    }

    /// HEARTBEAT, KEY_UPDATE both ways, the responder's own KEY_UPDATE when asked, MEASUREMENTS.
    private mutating func exercise(_ index: Int) throws {
        let name = "session \(document.sessions[index].sessionID)"
        if flags.contains(.heartbeat) {
            try requester.heartbeat(session: &open[index], via: secured)
            document.sessions[index].heartbeat = true
            document.verified.append("\(name): HEARTBEAT_ACK")
        }
        if flags.contains(.keyUpdate) {
            try requester.updateKeys(all: false, session: &open[index], via: secured)
            try requester.updateKeys(all: true, session: &open[index], via: secured)
            document.sessions[index].keyUpdate = true
            document.verified.append("\(name): KEY_UPDATE UpdateKey, UpdateAllKeys, VerifyNewKey")
        }
        if plan.responderKeyUpdate { try responderKeyUpdate(index, name: name) }
        if plan.responderEndpointInfo { try responderEndpointInfo(index, name: name) }
        try endpointInfoAndLog(index, name: name)
        if !flags.intersection(.measurementsAny).isEmpty {
            let signed = flags.contains(.measWithSignature) && hasChain
            let result = try requester.getMeasurements(.all(signed: signed, slot: plan.slot), session: &open[index], via: secured)
            document.sessions[index].measurementCount = result.blocks.count
            document.sessions[index].measurementsSigned = result.signatureVerified
            document.verified.append("\(name): MEASUREMENTS (\(result.blocks.count) blocks\(signed ? ", signature over L1" : ", unsigned"))")
        }
    }

    /// Subscribes every session to all events, then polls them until the watch ends.
    private mutating func watchEvents() throws {
        for index in open.indices {
            let groups = try requester.subscribeAllEvents(session: &open[index], via: secured)
            let types = groups.flatMap(\.eventTypes).map { DMTFEventType(rawValue: $0)?.name ?? "type \($0)" }
            document.verified.append("session \(document.sessions[index].sessionID): SUPPORTED_EVENT_TYPES (\(types.joined(separator: ", "))), "
                + "SUBSCRIBE_EVENT_TYPES_ACK")
        }
        let watch = SessionEventWatch(seconds: plan.hold, count: plan.eventCount, heartbeats: flags.contains(.heartbeat))
        var lines: [String] = []
        let onEvent = plan.onEvent
        let received = try watch.run(&open, requester: &requester, via: secured) { session, event in
            let line = SessionEventWatch.line(session, event)
            lines.append(line)
            onEvent(line)
        }
        document.events += lines
        document.verified.append("\(received) event(s) received in encapsulated SEND_EVENT, each answered with EVENT_ACK")
    }

    /// OOB_ENCAP_KEY_UPDATE, then the encapsulated KEY_UPDATE UpdateKey + VerifyNewKey answered.
    private mutating func responderKeyUpdate(_ index: Int, name: String) throws {
        guard flags.isSuperset(of: [.encap, .keyUpdate]) else {
            throw RequesterError.capabilityMissing("ENCAP_CAP and KEY_UPD_CAP for a responder-initiated key update")
        }
        try client.oobEncapKeyUpdate(sessionID: open[index].sessionID)
        let outcome = try requester.processEncapsulatedRequests(session: &open[index], via: secured)
        guard outcome.requests.filter({ $0 == .keyUpdate }).count == 2 else {
            throw RequesterError.malformedResponse(request: .getEncapsulatedRequest,
                reason: "after OOB_ENCAP_KEY_UPDATE the responder sent \(outcome.nothingPending ? "nothing" : "\(outcome.requests)"), not KEY_UPDATE UpdateKey + VerifyNewKey")
        }
        if flags.contains(.heartbeat) { try requester.heartbeat(session: &open[index], via: secured) }
        document.sessions[index].responderKeyUpdate = true
        document.verified.append("\(name): responder-initiated KEY_UPDATE (UpdateKey, VerifyNewKey) in the encapsulated flow")
    }

    /// OOB_ENCAP_ENDPOINT_INFO, then the responder's encapsulated GET_ENDPOINT_INFO answered.
    private mutating func responderEndpointInfo(_ index: Int, name: String) throws {
        guard flags.contains(.encap) else { throw RequesterError.capabilityMissing("ENCAP_CAP for the responder's GET_ENDPOINT_INFO") }
        try client.oobEncapEndpointInfo()
        let outcome = try requester.processEncapsulatedRequests(session: &open[index], via: secured)
        guard outcome.requests.last == .getEndpointInfo else {
            throw RequesterError.malformedResponse(request: .getEncapsulatedRequest,
                reason: "after OOB_ENCAP_ENDPOINT_INFO the responder sent \(outcome.nothingPending ? "nothing" : "\(outcome.requests)"), not GET_ENDPOINT_INFO")
        }
        document.sessions[index].responderEndpointInfo = true
        document.verified.append("\(name): the responder's GET_ENDPOINT_INFO answered in the encapsulated flow (\(outcome.requests.map(\.description).joined(separator: ", ")))")
    }

    /// SPDM 1.3+: GET_ENDPOINT_INFO (signed when the responder signs and the chain is known) and the
    /// measurement extension log inside the session.
    private mutating func endpointInfoAndLog(_ index: Int, name: String) throws {
        guard let algorithms = requester.negotiated, algorithms.version >= .v13 else { return }
        if !flags.intersection([.endpointInfoNoSignature, .endpointInfoWithSignature]).isEmpty {
            let signed = flags.contains(.endpointInfoWithSignature) && hasChain
            let result = try requester.getEndpointInfo(EndpointInfoRequest(signed: signed, slot: plan.slot), session: &open[index], via: secured)
            document.sessions[index].endpointInfo = result.signatureVerified ? "signed" : "unsigned"
            document.verified.append("\(name): ENDPOINT_INFO (\(result.endpointInfo.count) bytes\(result.signatureVerified ? ", signature over IL" : ", unsigned"))")
        }
        if flags.contains(.mel) && algorithms.melSpecification == MeasurementExtensionLog.specificationDMTF {
            let log = try requester.getMeasurementExtensionLog(session: &open[index], via: secured)
            document.sessions[index].logEntries = log.entries.count
            document.verified.append("\(name): MEASUREMENT_EXTENSION_LOG (\(log.entries.count) entries, DMTF format)")
        }
    }

    private mutating func end(_ index: Int) throws {
        try requester.endSession(session: &open[index], via: secured)
        document.sessions[index].ended = true
        document.verified.append("session \(document.sessions[index].sessionID): END_SESSION_ACK")
    }
}
