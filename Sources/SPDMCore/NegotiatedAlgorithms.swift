import SPDMCrypto
import SPDMWire

/// What VERSION / CAPABILITIES / ALGORITHMS settled for one connection (DSP0274 §10.3-10.5).
public struct NegotiatedAlgorithms: Hashable, Sendable {
    public var version: SPDMVersion
    public var hash: HashAlgorithm?
    public var asym: SignatureAlgorithm?
    /// nil with `measurementRawBitStreamOnly` or when measurements are not supported.
    public var measurementHash: HashAlgorithm?
    public var measurementRawBitStreamOnly: Bool
    public var measurementSpecification: MeasurementSpecification
    public var otherParams: OtherParams
    public var dhe: DHEGroups
    public var aead: AEADSuites
    public var requesterAsym: BaseAsymAlgorithms
    public var keySchedule: KeySchedules
    /// 1.3 MULTI_KEY_CONN_RSP: the responder's slots name their key pairs (DIGESTS carries KeyPairID,
    /// CertificateInfo and KeyUsageMask; the first DIGESTS joins the transcript as message D).
    public var multiKeyConnectionResponder: Bool
    /// 1.3 MULTI_KEY_CONN_REQ: the same for the requester's slots (mutual authentication).
    public var multiKeyConnectionRequester: Bool
    /// 1.3 MELspecificationSel: the measurement extension log format (0x01 DMTF; 0 none).
    public var melSpecification: UInt8 = 0
    /// 1.4 PqcAsymSel: the responder signs with ML-DSA instead of `asym` (at most one of the two is set).
    public var pqcAsym: PQCSignatureAlgorithm?
    /// 1.4 ReqPqcAsymAlg: the requester signs with ML-DSA instead of `requesterAsym`.
    public var requesterPQCAsym: PQCSignatureAlgorithm?
    /// 1.4 KEMAlg: KEY_EXCHANGE encapsulates a secret instead of a DHE exchange (at most one of `dhe` and this).
    public var kem: KEMAlgorithm?

    /// The algorithm the responder signs with: PqcAsymSel's, else BaseAsymSel's.
    public var signing: SigningAlgorithm? {
        if let pqcAsym { return .pqc(pqcAsym) }
        return asym.map { .classic($0) }
    }

    /// The algorithm the requester signs with (mutual authentication): ReqPqcAsymAlg's, else ReqBaseAsymAlg's.
    public var requesterSigning: SigningAlgorithm? {
        if let requesterPQCAsym { return .pqc(requesterPQCAsym) }
        return requesterAsym.signatureAlgorithm.map { .classic($0) }
    }

    public init(version: SPDMVersion, hash: HashAlgorithm?, asym: SignatureAlgorithm?, measurementHash: HashAlgorithm?,
                measurementRawBitStreamOnly: Bool = false, measurementSpecification: MeasurementSpecification = [],
                otherParams: OtherParams = [], dhe: DHEGroups = [], aead: AEADSuites = [],
                requesterAsym: BaseAsymAlgorithms = [], keySchedule: KeySchedules = [],
                multiKeyConnectionResponder: Bool = false, multiKeyConnectionRequester: Bool = false) {
        self.version = version
        self.hash = hash
        self.asym = asym
        self.measurementHash = measurementHash
        self.measurementRawBitStreamOnly = measurementRawBitStreamOnly
        self.measurementSpecification = measurementSpecification
        self.otherParams = otherParams
        self.dhe = dhe
        self.aead = aead
        self.requesterAsym = requesterAsym
        self.keySchedule = keySchedule
        self.multiKeyConnectionResponder = multiKeyConnectionResponder
        self.multiKeyConnectionRequester = multiKeyConnectionRequester
    }

    public var wireContext: WireContext {
        WireContext(version: version, hashSize: hash?.digestSize ?? 0, signatureSize: signing?.signatureSize ?? 0,
                    measurementHashSize: measurementHash?.digestSize ?? 0, multiKeyConnection: multiKeyConnectionResponder)
    }

    /// The context for DIGESTS the requester sends (encapsulated GET_DIGESTS).
    public var requesterWireContext: WireContext {
        var context = wireContext
        context.multiKeyConnection = multiKeyConnectionRequester
        return context
    }
}
