import Logging
import NIOCore
import SPDMCrypto
import SPDMResponder
import SPDMWire

/// The connection's side of the fault layer: asks `faults` what the request gets, hands the
/// response to the transport as the fault says, logs and counts every injection.
extension SPDMConnectionHandler {
    /// An SPDM request in the clear through the fault layer: RESPOND_IF_READY for a held response,
    /// `busy`/`error` answered instead of the device, everything else handled by the responder and
    /// then rewritten or withheld as the rule says.
    func respondInTheClear(_ request: [UInt8]) -> FaultStep {
        if let answer = faults.answerRespondIfReady(request) {
            runtime.requestHandled(record, code: .respondIfReady, error: answer.error, signedMeasurements: false,
                                   version: responder.version)
            return FaultStep(delivery: .send([answer.response]))
        }
        let code = request.count >= MessageHeader.size ? RequestCode(rawValue: request[1]) : nil
        let injection = faults.decide(code, inSession: false)
        refreshDevice()
        let response: [UInt8]
        if let decided = injection, decided.action.replacesHandling {
            let answer = ConnectionFaults.answerInstead(decided, request: request)
            runtime.requestHandled(record, code: code, error: answer.error, signedMeasurements: false, version: responder.version)
            response = answer.response
        } else if let decided = injection, decided.action.changesDevice {
            let (answer, notApplied) = handleTampered(decided, request)
            if let notApplied {
                report(decided, notApplied: notApplied)
                return FaultStep(delivery: .send([answer]))
            }
            response = answer
        } else {
            response = handleInTheClear(request)
        }
        return faults.apply(injection, code: code, request: request, response: response, inSession: false,
                            geometry: { self.signatureGeometry })
    }

    /// The device's answer from tampered data, for this request only: a tampered measurement table
    /// (MEASUREMENTS and the measurement summary hashes of CHALLENGE_AUTH and KEY_EXCHANGE_RSP agree)
    /// or tampered chains (CERTIFICATE, DIGESTS, CertChainHash).
    private func handleTampered(_ injection: FaultInjection, _ request: [UInt8]) -> (response: [UInt8], notApplied: String?) {
        switch injection.action {
        case .tamperMeasurement(let index):
            let configured = responder.device.measurements
            guard let tampered = ConnectionFaults.tamperedMeasurements(configured, index: index, seed: injection.seed,
                                                                        device: faults.device.device) else {
                return (handleInTheClear(request), "the device has no measurement \(index)")
            }
            useMeasurements(tampered)
            defer { useMeasurements(configured) }
            return (handleInTheClear(request), nil)
        case .tamperChain:
            let configured = responder.device.slots
            useSlots(ConnectionFaults.tamperedSlots(configured))
            defer { useSlots(configured) }
            return (handleInTheClear(request), nil)
        default:
            return (handleInTheClear(request), nil)
        }
    }

    /// An SPDM request inside a session, before the device sees it: the fault for it is decided
    /// here; RESPOND_IF_READY for a response held behind ResponseNotReady, `busy` and `error:<code>`
    /// are answered here (sealed in the session like any response); nil lets the device handle it.
    func answerInSession(_ request: [UInt8]) -> [UInt8]? {
        if let answer = faults.answerRespondIfReady(request) { return answer.response }
        let code = request.count >= MessageHeader.size ? RequestCode(rawValue: request[1]) : nil
        faultInSession = faults.decide(code, inSession: true)
        guard let decided = faultInSession, decided.action.replacesHandling else { return nil }
        faultInSession = nil
        report(decided, notApplied: nil)
        return ConnectionFaults.answerInstead(decided, request: request).response
    }

    /// An SPDM request inside a session and its response, before sealing: message rewrites and
    /// not_ready act on the plaintext now (the requester gets a record that authenticates, holding a
    /// broken message or ResponseNotReady), the others wait for the record (`respondInSession`).
    func rewriteBeforeSealing(_ request: [UInt8], _ response: [UInt8], geometry: ResponseFaults.SignatureGeometry?) -> [UInt8] {
        guard var injection = faultInSession else { return response }
        faultInSession = nil
        let code = request.count >= MessageHeader.size ? RequestCode(rawValue: request[1]) : nil
        if case .notReady = injection.action {
            let step = faults.apply(injection, code: code, request: request, response: response, inSession: true, geometry: { geometry })
            report(injection, notApplied: step.notApplied)
            guard case .send(let messages) = step.delivery, let notReady = messages.first else { return response }
            return notReady
        }
        guard injection.action.rewritesMessage else {
            faultForRecord = injection
            return response
        }
        switch ConnectionFaults.rewrite(&injection, request: request, response: response, geometry: { geometry }) {
        case .bytes(let rewritten):
            report(injection, notApplied: nil)
            return rewritten
        case .notApplicable(let why):
            report(injection, notApplied: why)
            return response
        }
    }

    /// The sealed response to an SPDM request inside a session through the fault layer: corrupt:mac,
    /// delay, drop, close, duplicate and replay act on the record as sent.
    func respondInSession(_ outcome: SecuredOutcome, sealed: [UInt8]) -> FaultStep {
        let injection = faultForRecord
        faultForRecord = nil
        return faults.apply(injection, code: outcome.request, request: [], response: sealed, inSession: true, geometry: { nil })
    }

    /// Where corrupt:signature finds the signature, from the connection's negotiated algorithms.
    var signatureGeometry: ResponseFaults.SignatureGeometry? {
        guard let negotiated = responder.negotiated, let asym = negotiated.signing, let hash = negotiated.hash else { return nil }
        return ResponseFaults.SignatureGeometry(signature: asym.signatureSize,
                                                keyExchangeVerifyData: responder.handshakeInTheClear ? 0 : hash.digestSize,
                                                hash: hash.digestSize)
    }

    /// Sends what the fault layer decided; `encode` wraps one SPDM message or record for the transport.
    func deliver(_ context: ChannelHandlerContext, _ step: FaultStep, encode: @escaping ([UInt8]) -> [UInt8]) {
        if let injection = step.injection { report(injection, notApplied: step.notApplied) }
        switch step.delivery {
        case .send(let messages):
            for message in messages { reply(context, .normal, encode(message)) }
        case .close:
            context.close(promise: nil)
        case let .delayed(milliseconds, message):
            framesBehindDelay = []
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            let payload = encode(message)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                bound.value.handler.sendDelayed(bound.value.context, payload)
            }
        }
    }

    /// The withheld response goes out; then the frames that arrived meanwhile are handled in order
    /// (until one of them is delayed in turn).
    private func sendDelayed(_ context: ChannelHandlerContext, _ payload: [UInt8]) {
        reply(context, .normal, payload)
        var waiting = framesBehindDelay ?? []
        framesBehindDelay = nil
        while !waiting.isEmpty, framesBehindDelay == nil {
            handle(context, waiting.removeFirst())
        }
        if !waiting.isEmpty { framesBehindDelay = waiting + (framesBehindDelay ?? []) }
    }

    /// Logs the injection (SPDM_FAULT, the rule, the request, n and the seed: enough to reproduce a
    /// CI run from its log) and counts it in spdm_faults_injected_total.
    func report(_ injection: FaultInjection, notApplied: String?) {
        let metadata: Logger.Metadata = [
            "spdm_fault": "\(injection.action)",
            "spdm_fault_rule": "\(injection.ruleIndex)",
            "spdm_request": "\(injection.request?.description ?? "short")",
            "spdm_fault_match": "\(injection.n)",
            "spdm_fault_seed": "\(injection.seed)",
        ]
        if let notApplied {
            logger.notice("fault rule \(injection.ruleIndex) (\(injection.action)) changed nothing: \(notApplied)", metadata: metadata)
            return
        }
        runtime.counters.faultInjected(action: injection.action.description)
        logger.notice("fault injected: \(injection.action)", metadata: metadata)
    }
}
