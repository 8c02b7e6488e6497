import SPDMWire

/// Why a requester step failed. Each case names what failed, so a CLI can print it as is.
public enum RequesterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The API was used out of order (e.g. GET_DIGESTS before NEGOTIATE_ALGORITHMS).
    case invalidState(String)
    /// The responder answered with ERROR.
    case errorResponse(request: RequestCode, code: ErrorCode, data: UInt8)
    /// ERROR(ResponseNotReady) kept coming back.
    case notReadyRetriesExhausted(request: RequestCode, attempts: Int)
    /// A response of another kind than the request calls for.
    case unexpectedResponse(request: RequestCode, code: UInt8)
    /// The response did not decode or breaks a rule of its format.
    case malformedResponse(request: RequestCode, reason: String)
    /// The response carries another SPDMVersion than the connection's.
    case versionMismatch(request: RequestCode, expected: SPDMVersion, got: SPDMVersion)
    case noCommonVersion(requester: [SPDMVersion], responder: [SPDMVersion])
    /// ALGORITHMS selected something not offered, more than one algorithm, or nothing where needed.
    case negotiationFailed(String)
    /// The responder lacks a capability the step needs.
    case capabilityMissing(String)
    /// A request or response too large to travel: over a DataTransferSize without chunking, or over
    /// a MaxSPDMmsgSize.
    case messageTooLarge(request: RequestCode, reason: String)

    // Verification failures.
    case certificateChainFormat(slot: UInt8, reason: String)
    case rootHashMismatch(slot: UInt8)
    case digestMismatch(slot: UInt8)
    case noTrustedRoots(slot: UInt8)
    case chainVerificationFailed(slot: UInt8, reason: String)
    case leafKeyMismatch(slot: UInt8, reason: String)
    case noCertificateChain(slot: UInt8)
    case slotMismatch(request: RequestCode, expected: UInt8, got: UInt8)
    case certChainHashMismatch(slot: UInt8)
    case requesterContextMismatch(request: RequestCode)
    case challengeAuthSignatureInvalid(slot: UInt8)
    case measurementsSignatureInvalid(slot: UInt8)
    case endpointInfoSignatureInvalid(slot: UInt8)
    case measurementMismatch(String)
    case measurementSummaryMismatch(type: String)

    // Sessions.
    /// A secured record could not be opened or carried something else than expected.
    case securedMessage(String)
    case keyExchangeSignatureInvalid(slot: UInt8)
    /// ResponderVerifyData (or a PSK_EXCHANGE_RSP's) does not match the session's finished key.
    case verifyDataMismatch(request: RequestCode)
    /// The responder asked for something this requester does not do (mutual authentication, ...).
    case sessionRefused(String)

    public var description: String {
        switch self {
        case .invalidState(let reason): return "requester used out of order: \(reason)"
        case let .errorResponse(request, code, data):
            return "\(request) failed: responder sent ERROR \(code) (0x\(hex(code.rawValue))), data 0x\(hex(data))"
        case let .notReadyRetriesExhausted(request, attempts):
            return "\(request): still ResponseNotReady after \(attempts) RESPOND_IF_READY attempts"
        case let .unexpectedResponse(request, code):
            return "\(request) answered with \(ResponseCode(rawValue: code)) (0x\(hex(code)))"
        case let .malformedResponse(request, reason): return "malformed response to \(request): \(reason)"
        case let .versionMismatch(request, expected, got):
            return "response to \(request) is version \(got), the connection is \(expected)"
        case let .noCommonVersion(requester, responder):
            return "no common SPDM version: requester offers \(requester.map(\.description).joined(separator: ",")), "
                + "responder \(responder.map(\.description).joined(separator: ","))"
        case .negotiationFailed(let reason): return "algorithm negotiation failed: \(reason)"
        case .capabilityMissing(let reason): return "responder capability missing: \(reason)"
        case let .messageTooLarge(request, reason): return "\(request) too large: \(reason)"
        case let .certificateChainFormat(slot, reason): return "slot \(slot) certificate chain format invalid: \(reason)"
        case .rootHashMismatch(let slot):
            return "slot \(slot) certificate chain RootHash matches neither its first certificate nor a trusted root"
        case .digestMismatch(let slot): return "slot \(slot) DIGESTS digest does not match the hash of the retrieved chain"
        case .noTrustedRoots(let slot): return "slot \(slot) certificate chain not verified: no trusted root given"
        case let .chainVerificationFailed(slot, reason): return "slot \(slot) certificate chain verification failed: \(reason)"
        case let .leafKeyMismatch(slot, reason): return "slot \(slot) leaf certificate key unusable: \(reason)"
        case .noCertificateChain(let slot): return "no verified certificate chain for slot \(slot) (GET_CERTIFICATE first)"
        case let .slotMismatch(request, expected, got): return "response to \(request) names slot \(got), expected \(expected)"
        case .certChainHashMismatch(let slot):
            return "CHALLENGE_AUTH CertChainHash does not match the hash of slot \(slot)'s certificate chain"
        case .requesterContextMismatch(let request): return "response to \(request) does not echo the RequesterContext"
        case .challengeAuthSignatureInvalid(let slot): return "CHALLENGE_AUTH signature (slot \(slot)) does not verify over M1"
        case .measurementsSignatureInvalid(let slot): return "MEASUREMENTS signature (slot \(slot)) does not verify over L1"
        case .endpointInfoSignatureInvalid(let slot): return "ENDPOINT_INFO signature (slot \(slot)) does not verify over IL"
        case .measurementMismatch(let reason): return "MEASUREMENTS invalid: \(reason)"
        case .securedMessage(let reason): return "secured message rejected: \(reason)"
        case .keyExchangeSignatureInvalid(let slot): return "KEY_EXCHANGE_RSP signature (slot \(slot)) does not verify over TH"
        case .verifyDataMismatch(let request): return "ResponderVerifyData of the response to \(request) does not verify"
        case .sessionRefused(let reason): return "session not opened: \(reason)"
        case .measurementSummaryMismatch(let type):
            return "CHALLENGE_AUTH MeasurementSummaryHash (\(type)) does not match the hash of the measurements retrieved"
        }
    }
}

private func hex(_ value: UInt8) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
