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

    public init(version: SPDMVersion, hash: HashAlgorithm?, asym: SignatureAlgorithm?, measurementHash: HashAlgorithm?,
                measurementRawBitStreamOnly: Bool = false, measurementSpecification: MeasurementSpecification = [],
                otherParams: OtherParams = [], dhe: DHEGroups = [], aead: AEADSuites = [],
                requesterAsym: BaseAsymAlgorithms = [], keySchedule: KeySchedules = []) {
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
    }

    public var wireContext: WireContext {
        WireContext(version: version, hashSize: hash?.digestSize ?? 0, signatureSize: asym?.signatureSize ?? 0,
                    measurementHashSize: measurementHash?.digestSize ?? 0)
    }
}
