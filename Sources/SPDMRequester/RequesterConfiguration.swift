import SPDMCore
import SPDMCrypto
import SPDMWire

/// What the requester offers and what it trusts.
public struct RequesterConfiguration: Sendable {
    /// Versions the requester speaks; the highest one the responder also lists is chosen.
    public var versions: [SPDMVersion]
    /// Use exactly this version (it must be in the responder's VERSION list).
    public var forcedVersion: SPDMVersion?

    /// GET_CAPABILITIES (1.1+): flags, CTExponent; 1.2+: DataTransferSize / MaxSPDMmsgSize.
    public var capabilities: CapabilityFlags
    public var ctExponent: UInt8
    public var dataTransferSize: UInt32
    public var maxSPDMMessageSize: UInt32

    /// NEGOTIATE_ALGORITHMS offers.
    public var baseHash: BaseHashAlgorithms
    public var baseAsym: BaseAsymAlgorithms
    /// 1.4 PqcAsymAlgo (ML-DSA); sent only at 1.4. The responder selects at most one of BaseAsymSel
    /// and PqcAsymSel.
    public var pqcAsym: PQCAsymAlgorithms = []
    public var measurementSpecification: MeasurementSpecification
    public var otherParams: OtherParams
    /// AlgStructures (1.1+); an empty set is not sent.
    public var dhe: DHEGroups
    public var aead: AEADSuites
    public var requesterBaseAsym: BaseAsymAlgorithms
    public var keySchedule: KeySchedules
    /// 1.4 AlgStructures 6 (ReqPqcAsymAlg, with the identity's ML-DSA algorithm added) and 7 (KEMAlg);
    /// sent only at 1.4 and only when not empty, after the four earlier ones (AlgType increases).
    public var requesterPQCAsym: PQCAsymAlgorithms = []
    public var kem: KEMAlgorithms = []
    /// The MeasurementHashAlgo selections the requester accepts (the responder picks; it is not offered).
    public var acceptedMeasurementHash: MeasurementHashAlgorithms

    /// The requester's own chain and key for mutual authentication; its algorithm is offered as
    /// ReqBaseAsymAlg (with `requesterBaseAsym`) or, for ML-DSA, as ReqPqcAsymAlg (with `requesterPQCAsym`). MUT_AUTH_CAP / ENCAP_CAP still come from
    /// `capabilities`: set them to let the responder ask for mutual authentication.
    public var requesterIdentity: RequesterCredentials?

    /// Trust anchors for the responder's certificate chains.
    public var trustedRoots: [Certificate]
    /// The responder's raw public key known in advance (PUB_KEY_ID_CAP): it stands for SlotID 0xFF on
    /// every connection (`VerifiedCertificateChain.rawPublicKey`).
    public var responderPublicKey: PublicKey? = nil
    /// Without trusted roots a chain is still checked link by link from its own first certificate,
    /// but it is reported as not anchored; when false, a missing root is an error.
    public var allowUnanchoredChains: Bool
    public var chainOptions: ChainVerifier.Options
    /// Decoded certificates reused across connections for byte-identical DER (a load driver
    /// fetching the same chains again and again); every chain is still verified in full.
    public var certificateCache: CertificateCache? = nil

    /// Bytes asked for per GET_CERTIFICATE (the responder may send fewer).
    public var certificatePortionLength: UInt16
    /// RESPOND_IF_READY attempts per request before giving up.
    public var maximumNotReadyRetries: Int
    /// What this requester answers an encapsulated GET_ENDPOINT_INFO with (needs an EP_INFO
    /// capability in `capabilities`): one DMTF device class identifier naming it.
    public var endpointInfo = DeviceClassIdentifier(elements: [.init(registry: 0, subIdentifiers: [Array("spdmctl".utf8)])])

    public init(versions: [SPDMVersion] = SPDMVersion.all, forcedVersion: SPDMVersion? = nil,
                capabilities: CapabilityFlags = [], ctExponent: UInt8 = 0,
                dataTransferSize: UInt32 = 4096, maxSPDMMessageSize: UInt32 = 4096,
                baseHash: BaseHashAlgorithms = RequesterConfiguration.allHashes,
                baseAsym: BaseAsymAlgorithms = RequesterConfiguration.allAsym,
                measurementSpecification: MeasurementSpecification = .dmtf,
                otherParams: OtherParams = .opaqueDataFormat1,
                dhe: DHEGroups = [], aead: AEADSuites = [], requesterBaseAsym: BaseAsymAlgorithms = [],
                keySchedule: KeySchedules = [], requesterIdentity: RequesterCredentials? = nil,
                acceptedMeasurementHash: MeasurementHashAlgorithms = MeasurementHashAlgorithms(rawValue: 0xFF),
                trustedRoots: [Certificate] = [], allowUnanchoredChains: Bool = false,
                chainOptions: ChainVerifier.Options = ChainVerifier.Options(),
                certificatePortionLength: UInt16 = 1024, maximumNotReadyRetries: Int = 3) {
        self.versions = versions
        self.forcedVersion = forcedVersion
        self.capabilities = capabilities
        self.ctExponent = ctExponent
        self.dataTransferSize = dataTransferSize
        self.maxSPDMMessageSize = maxSPDMMessageSize
        self.baseHash = baseHash
        self.baseAsym = baseAsym
        self.measurementSpecification = measurementSpecification
        self.otherParams = otherParams
        self.dhe = dhe
        self.aead = aead
        self.requesterBaseAsym = requesterBaseAsym
        self.keySchedule = keySchedule
        self.requesterIdentity = requesterIdentity
        self.acceptedMeasurementHash = acceptedMeasurementHash
        self.trustedRoots = trustedRoots
        self.allowUnanchoredChains = allowUnanchoredChains
        self.chainOptions = chainOptions
        self.certificatePortionLength = certificatePortionLength
        self.maximumNotReadyRetries = maximumNotReadyRetries
    }

    /// ReqBaseAsymAlg as offered: `requesterBaseAsym` plus the identity's algorithm when it is a classic one.
    public var offeredRequesterAsym: BaseAsymAlgorithms {
        requesterBaseAsym.union(requesterIdentity?.offeredBaseAsym ?? [])
    }

    /// ReqPqcAsymAlg as offered: `requesterPQCAsym` plus the identity's algorithm when it is ML-DSA.
    public var offeredRequesterPQCAsym: PQCAsymAlgorithms {
        requesterPQCAsym.union(requesterIdentity?.offeredPQCAsym ?? [])
    }

    /// The post-quantum algorithms this requester can use: ML-DSA-65/87 and ML-KEM-768/1024 (the crypto
    /// layer has no ML-DSA-44 or ML-KEM-512, so they are never offered).
    public static let allPQCAsym: PQCAsymAlgorithms = [.mlDsa65, .mlDsa87]
    public static let allKEM: KEMAlgorithms = [.mlKem768, .mlKem1024]

    public static let allHashes = BaseHashAlgorithms(rawValue: 0x7F)
    public static let allAsym = BaseAsymAlgorithms(rawValue: 0xFFF)
}
