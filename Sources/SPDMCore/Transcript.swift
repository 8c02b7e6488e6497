import SPDMWire

/// The message transcripts both roles keep to compute what is signed (DSP0274 §15, "Transcript and
/// transcript hash calculation rules"):
///
///     A  = GET_VERSION .. ALGORITHMS (VCA)
///     B  = GET_DIGESTS .. CERTIFICATE (all portions)
///     C  = CHALLENGE || CHALLENGE_AUTH without its signature
///     D  = the first DIGESTS response in the clear after VCA, on a 1.3 multi-key connection only
///     M1/M2 = A || B || C                      signed by CHALLENGE_AUTH
///     TH (KEY_EXCHANGE) = A || D || Hash(cert chain) || K ...
///     L1/L2 = (1.2+: A ||) measurement exchanges since the last signed one, the last without signature
///
/// Requester and responder apply the same reset rules (`willHandle(request:)`), so their transcripts agree.
public struct Transcript: Sendable {
    public private(set) var vca: [UInt8] = []
    public private(set) var messageB: [UInt8] = []
    public private(set) var messageC: [UInt8] = []
    public private(set) var messageM: [UInt8] = []
    /// Message D (DSP0274 1.3 §15): kept only on multi-key connections, never replaced once set.
    public private(set) var messageD: [UInt8] = []

    public init() {}

    public mutating func reset() {
        vca = []
        messageD = []
        messageB = []
        messageC = []
        messageM = []
    }

    public mutating func appendVCA(_ bytes: [UInt8]) { vca += bytes }
    /// Records a DIGESTS response as message D unless one already is.
    public mutating func recordD(_ digests: [UInt8]) { if messageD.isEmpty { messageD = digests } }
    public mutating func appendB(_ bytes: [UInt8]) { messageB += bytes }
    public mutating func appendM(_ bytes: [UInt8]) { messageM += bytes }
    public mutating func resetB() { messageB = [] }
    public mutating func resetBC() {
        messageB = []
        messageC = []
    }
    public mutating func resetM() { messageM = [] }

    /// Applies the reset rules before a request is handled: any request other than GET_MEASUREMENTS
    /// ends an L1/L2 run; GET_DIGESTS starts B afresh; requests that skip a pending CHALLENGE drop B/C
    /// unless the connection is already authenticated.
    public mutating func willHandle(request code: RequestCode, authenticated: Bool) {
        if code != .getMeasurements { resetM() }
        switch code {
        case .getDigests:
            resetB()
        case .keyExchange, .getMeasurements, .finish, .pskExchange, .pskFinish, .keyUpdate, .heartbeat,
             .getEncapsulatedRequest, .endSession, .getMeasurementExtensionLog:
            if !authenticated { resetBC() }
        case .deliverEncapsulatedResponse:
            if !authenticated { resetB() }
        default:
            break
        }
    }

    /// M1/M2 for CHALLENGE_AUTH: A || B || CHALLENGE || CHALLENGE_AUTH (without signature).
    public func challengeTranscript(request: [UInt8], responseWithoutSignature: [UInt8]) -> [UInt8] {
        vca + messageB + request + responseWithoutSignature
    }

    /// L1/L2 for a signed MEASUREMENTS: (1.2+: A ||) M || GET_MEASUREMENTS || MEASUREMENTS (without signature).
    public func measurementTranscript(version: SPDMVersion, request: [UInt8], responseWithoutSignature: [UInt8]) -> [UInt8] {
        (version >= .v12 ? vca : []) + messageM + request + responseWithoutSignature
    }
}
