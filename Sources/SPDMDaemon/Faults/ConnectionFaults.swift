import SPDMDevice
import SPDMResponder
import SPDMWire

/// What the connection sends after the fault layer.
enum FaultDelivery: Equatable, Sendable {
    /// These messages, in order: none (drop), one, or two (duplicate).
    case send([[UInt8]])
    /// One message after this many milliseconds; the connection handles nothing else meanwhile.
    case delayed(milliseconds: Int, [UInt8])
    /// No answer: the connection is closed.
    case close
}

/// The result of one request through the fault layer.
struct FaultStep: Sendable {
    var delivery: FaultDelivery
    /// The fault injected, if one was.
    var injection: FaultInjection?
    /// Why the rule that fired changed nothing (a response without a signature, ...).
    var notApplied: String?
}

/// One connection's fault layer, between its responder state machine and its transport (DESIGN.md:
/// faults live outside the pure state machines). It reads the device's live rules per request,
/// keeps what the actions need across requests (the response held behind ResponseNotReady, the last
/// response per request code for `replay`) and rewrites or withholds responses.
struct ConnectionFaults: Sendable {
    let device: DeviceFaults
    private var counts = DeviceFaults.ConnectionCounts()
    /// A response held behind ERROR(ResponseNotReady) until RESPOND_IF_READY asks for it.
    private var held: HeldResponse?
    private var nextToken: UInt8 = 1
    /// The last response (as the device built it) to each request code, in the clear (0x00nn) and
    /// in a session (0x01nn), for `replay`; kept only while the device has a replay rule.
    private var previous: [UInt16: [UInt8]] = [:]

    private struct HeldResponse: Sendable {
        var version: UInt8
        var request: UInt8
        var token: UInt8
        var response: [UInt8]
    }

    init(device: DeviceFaults) { self.device = device }

    /// RESPOND_IF_READY for the held response (DSP0274 §10.13): the held response once, when the
    /// request code and token match; ERROR(VersionMismatch) or ERROR(InvalidRequest) while it stays
    /// held otherwise. nil when nothing is held (the responder answers UnexpectedRequest) or for any
    /// other request, which drops the held response as a new request does.
    mutating func answerRespondIfReady(_ request: [UInt8]) -> (response: [UInt8], error: ErrorCode?)? {
        guard let held else { return nil }
        guard request.count >= 2, request[1] == RequestCode.respondIfReady.rawValue else {
            self.held = nil
            return nil
        }
        guard request[0] == held.version else { return (Self.error(held.version, .versionMismatch), .versionMismatch) }
        guard request.count >= 4, request[2] == held.request, request[3] == held.token else {
            return (Self.error(held.version, .invalidRequest), .invalidRequest)
        }
        self.held = nil
        return (held.response, nil)
    }

    /// The fault, if any, the request gets.
    mutating func decide(_ code: RequestCode?, inSession: Bool) -> FaultInjection? {
        device.decide(code, inSession: inSession, counts: &counts)
    }

    /// The ERROR a `busy` or `error:<code>` rule answers instead of the device, in the request's version.
    static func answerInstead(_ injection: FaultInjection, request: [UInt8]) -> (response: [UInt8], error: ErrorCode) {
        let code: ErrorCode
        switch injection.action {
        case .error(let configured): code = configured
        default: code = .busy
        }
        return (error(request.first ?? 0x10, code), code)
    }

    /// The table a `tamper:measurement:<index>` rule makes the device answer from: the entry's value
    /// with every byte XORed with a non-zero byte drawn from the rule's seed and the device alone (not
    /// n), so MEASUREMENTS and the summary hashes of CHALLENGE_AUTH and KEY_EXCHANGE_RSP agree, as a
    /// device with other firmware would; nil when the device has no such index.
    static func tamperedMeasurements(_ table: MeasurementTable, index: UInt8, seed: UInt64, device: String) -> MeasurementTable? {
        guard let entry = table.entry(index) else { return nil }
        var random = FaultRandom(seed: seed, device: device, n: 0)
        var tampered = table
        _ = tampered.set(index: index, value: entry.value.map { $0 ^ random.nonZeroByte() })
        return tampered
    }

    /// The slots a `tamper:chain` rule makes the device answer from: the last byte of each chain (in
    /// its leaf certificate's signature) inverted, so the chain still parses but does not verify.
    static func tamperedSlots(_ slots: [CertificateSlot]) -> [CertificateSlot] {
        slots.map { slot in
            var tampered = slot
            if !tampered.certificatesDER.isEmpty { tampered.certificatesDER[tampered.certificatesDER.count - 1] ^= 0xFF }
            return tampered
        }
    }

    private static func error(_ version: UInt8, _ code: ErrorCode) -> [UInt8] {
        ErrorResponse(version: SPDMVersion(rawValue: version), code: code).encoded(context: .unnegotiated(SPDMVersion(rawValue: version)))
    }

    /// Applies `injection` (if any) to the response the device built for the request with `code`
    /// (`request`: its bytes in the clear). In a session the response is the secured record as
    /// sent, and byte actions act on it.
    mutating func apply(_ injection: FaultInjection?, code: RequestCode?, request: [UInt8], response: [UInt8], inSession: Bool,
                        geometry: () -> ResponseFaults.SignatureGeometry?) -> FaultStep {
        // Responses are kept for `replay` only while a rule replays: no copy per request otherwise.
        let key = counts.keepsResponses ? code.map { UInt16($0.rawValue) | (inSession ? 0x100 : 0) } : nil
        let replayed = key.flatMap { previous[$0] }
        if let key { previous[key] = response } else if !previous.isEmpty { previous.removeAll() }
        guard var injection else { return FaultStep(delivery: .send([response])) }

        func rewritten(_ rewrite: ResponseFaults.Rewrite) -> FaultStep {
            switch rewrite {
            case .bytes(let bytes): return FaultStep(delivery: .send([bytes]), injection: injection)
            case .notApplicable(let why): return FaultStep(delivery: .send([response]), injection: injection, notApplied: why)
            }
        }
        switch injection.action {
        case let .notReady(exponent, rdtm):
            guard response.count >= 2, response[1] != ResponseCode.error.rawValue, let code = code?.rawValue else {
                return FaultStep(delivery: .send([response]), injection: injection, notApplied: "the device answered ERROR")
            }
            let token = nextToken
            nextToken = nextToken == 0xFF ? 1 : nextToken + 1
            held = HeldResponse(version: response[0], request: code, token: token, response: response)
            let notReady = ErrorResponse.responseNotReady(version: SPDMVersion(rawValue: response[0]), rdExponent: exponent,
                                                          requestCode: RequestCode(rawValue: code), token: token, rdtm: rdtm)
            return FaultStep(delivery: .send([notReady.encoded(context: .unnegotiated(SPDMVersion(rawValue: response[0])))]),
                             injection: injection)
        case .busy, .error:
            // Answered before the device saw the request (`answerInstead`).
            return FaultStep(delivery: .send([response]), injection: injection)
        case .delay(let milliseconds):
            return FaultStep(delivery: .delayed(milliseconds: milliseconds, response), injection: injection)
        case .drop:
            return FaultStep(delivery: .send([]), injection: injection)
        case .close:
            return FaultStep(delivery: .close, injection: injection)
        case .duplicate:
            return FaultStep(delivery: .send([response, response]), injection: injection)
        case .replay:
            guard let replayed else {
                return FaultStep(delivery: .send([response]), injection: injection,
                                 notApplied: "no earlier response to this request on the connection")
            }
            return FaultStep(delivery: .send([replayed]), injection: injection)
        case .truncate, .corruptByte, .corruptSignature, .corruptNonce, .corruptVerifyData, .wrongVersion, .wrongCode, .mutate:
            return rewritten(Self.rewrite(&injection, request: request, response: response, geometry: geometry))
        case .corruptMAC:
            return rewritten(ResponseFaults.corruptMAC(response))
        case .tamperMeasurement, .tamperChain:
            // The device built the response from tampered data (`tamperedMeasurements`, `tamperedSlots`).
            return FaultStep(delivery: .send([response]), injection: injection)
        }
    }

    /// The rewrite of an SPDM message an action stands for (`FaultAction.rewritesMessage`); in a
    /// session it acts on the plaintext response before it is sealed.
    static func rewrite(_ injection: inout FaultInjection, request: [UInt8], response: [UInt8],
                        geometry: () -> ResponseFaults.SignatureGeometry?) -> ResponseFaults.Rewrite {
        switch injection.action {
        case .truncate(let length): return ResponseFaults.truncate(response, to: length)
        case .corruptByte(let offset): return ResponseFaults.invert(response, at: offset)
        case .corruptSignature: return ResponseFaults.corruptSignature(response, request: request, geometry: geometry())
        case .corruptNonce: return ResponseFaults.corruptNonce(response, geometry: geometry())
        case .corruptVerifyData: return ResponseFaults.corruptVerifyData(response, geometry: geometry())
        case .wrongVersion: return ResponseFaults.wrongVersion(response)
        case .wrongCode: return ResponseFaults.wrongCode(response)
        case .mutate(let rate): return ResponseFaults.mutate(response, rate: rate, random: &injection.random)
        default: return .notApplicable("\(injection.action) does not rewrite a message")
        }
    }
}
