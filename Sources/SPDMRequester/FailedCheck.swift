/// The kind of check a requester run failed, with the exit status `spdmctl attest` and `spdmctl
/// session` give it, so a rig's CI can assert on the kind ("the device must fail on its signature",
/// "this injected Busy must surface as an ERROR") without parsing messages:
///
///     status  kind               what failed
///     0       -                  nothing: every check passed
///     1       protocol           a response that is malformed, of the wrong code or version, a failed
///                                negotiation, a missing capability, a refused session, a bad record
///     2       error_response     the responder answered ERROR (ResponseNotReady retries exhausted too)
///     3       transport          unreachable, timed out, or the platform socket protocol broken
///     4       certificate_chain  chain format, RootHash, path validation, untrusted or unanchored root, leaf key
///     5       digest             a DIGESTS digest or a CertChainHash that does not match the chain
///     6       signature          a CHALLENGE_AUTH, MEASUREMENTS or KEY_EXCHANGE_RSP signature
///     7       measurement        a measurement block or a measurement summary hash
///     8       verify_data        a ResponderVerifyData (KEY_EXCHANGE_RSP, FINISH_RSP, PSK_EXCHANGE_RSP)
///
/// ArgumentParser's own usage errors exit with 64.
public enum FailedCheck: String, Sendable, CaseIterable, Codable {
    case `protocol`
    case errorResponse = "error_response"
    case transport
    case certificateChain = "certificate_chain"
    case digest
    case signature
    case measurement
    case verifyData = "verify_data"

    public var exitStatus: Int32 {
        switch self {
        case .protocol: return 1
        case .errorResponse: return 2
        case .transport: return 3
        case .certificateChain: return 4
        case .digest: return 5
        case .signature: return 6
        case .measurement: return 7
        case .verifyData: return 8
        }
    }
}

extension RequesterError {
    /// The kind of check this failure is (its exit status in spdmctl).
    public var failedCheck: FailedCheck {
        switch self {
        case .errorResponse, .notReadyRetriesExhausted:
            return .errorResponse
        case .certificateChainFormat, .rootHashMismatch, .noTrustedRoots, .chainVerificationFailed, .leafKeyMismatch,
             .noCertificateChain:
            return .certificateChain
        case .digestMismatch, .certChainHashMismatch:
            return .digest
        case .challengeAuthSignatureInvalid, .measurementsSignatureInvalid, .keyExchangeSignatureInvalid, .endpointInfoSignatureInvalid:
            return .signature
        case .measurementMismatch, .measurementSummaryMismatch:
            return .measurement
        case .verifyDataMismatch:
            return .verifyData
        case .invalidState, .unexpectedResponse, .malformedResponse, .messageTooLarge, .versionMismatch, .noCommonVersion, .negotiationFailed,
             .capabilityMissing, .slotMismatch, .requesterContextMismatch, .securedMessage, .sessionRefused:
            return .protocol
        }
    }
}
