import SPDMCore
import SPDMCrypto
import SPDMWire

/// Everything the protocol needs to know about one virtual device. Immutable and shared by all of the
/// device's connections; `SPDMDevice` builds it from a config file.
public struct ResponderDevice: Sendable {
    public var name: String
    /// Versions offered in VERSION, any subset of 1.0-1.4.
    public var versions: [SPDMVersion]
    public var capabilities: CapabilityFlags
    public var ctExponent: UInt8
    public var dataTransferSize: UInt32
    public var maxSPDMMessageSize: UInt32
    /// Algorithm preferences, most preferred first.
    public var hashPreference: [HashAlgorithm]
    public var asymPreference: [SignatureAlgorithm]
    public var measurementHashPreference: [HashAlgorithm]
    public var measurementRawBitStreamOnly: Bool
    public var dhePreference: [DHEGroups]
    public var aeadPreference: [AEADSuites]
    public var requesterAsymPreference: [SignatureAlgorithm]
    /// SPDM 1.4 post-quantum preferences (PqcAsymAlgo, ReqPqcAsymAlg, KEMAlg), most preferred first,
    /// and which kind wins when the requester offers both (DSP0274 1.4 allows one of each pair).
    public var pqcAsymPreference: [PQCSignatureAlgorithm] = []
    public var requesterPQCAsymPreference: [PQCSignatureAlgorithm] = []
    public var kemPreference: [KEMAlgorithm] = []
    public var pqcFirst = false
    /// The config's slots (what is served: `servedSlots`, Provisioning/ServedState.swift).
    public var slots: [CertificateSlot]
    /// The config's key pairs, ids 1...N; every slot names one of them.
    public var keyPairs: [KeyPair]
    /// Slots that could hold a chain (DIGESTS Param1 at 1.3+); defaults to the provisioned ones.
    public var supportedSlotMask: UInt8
    public var measurements: MeasurementTable
    /// The most CERTIFICATE bytes sent in one portion, whatever the requester asks for.
    public var certificatePortionLimit: Int
    /// Heartbeat period, session limit, PLDM TID and pre-shared keys (Sessions/SessionSettings.swift).
    public var sessionSettings = SessionSettings()
    /// Whether and how this device asks the requester to authenticate itself (Handlers/Encapsulated.swift).
    public var mutualAuth = MutualAuthSettings()
    /// How VENDOR_DEFINED_REQUEST is answered (VendorDefinedHandlers.swift); empty: UnsupportedRequest.
    public var vendorDefined = VendorDefinedHandlers()
    /// What provisioning requests changed on this device (Provisioning/ProvisionedState.swift).
    public var provisioned = ProvisionedState()
    /// The device class identifiers GET_ENDPOINT_INFO reports (EP_INFO_CAP); nil: `endpointInfo`'s default.
    public var endpointIdentifiers: DeviceClassIdentifier?
    /// The key of slot 0xFF: a device with PUB_KEY_ID_CAP has no certificate; the requester knows
    /// this key's public half in advance (Provisioning/RawPublicKey.swift).
    public var rawPublicKeyIdentity: PrivateKey?

    public init(name: String, versions: [SPDMVersion] = SPDMVersion.all, capabilities: CapabilityFlags,
                ctExponent: UInt8 = 12, dataTransferSize: UInt32 = 4096, maxSPDMMessageSize: UInt32 = 4096,
                hashPreference: [HashAlgorithm], asymPreference: [SignatureAlgorithm],
                measurementHashPreference: [HashAlgorithm] = [], measurementRawBitStreamOnly: Bool = false,
                dhePreference: [DHEGroups] = [], aeadPreference: [AEADSuites] = [],
                requesterAsymPreference: [SignatureAlgorithm] = [], slots: [CertificateSlot],
                keyPairs: [KeyPair]? = nil,
                supportedSlotMask: UInt8? = nil, measurements: MeasurementTable = MeasurementTable(entries: []),
                certificatePortionLimit: Int = 1024) {
        self.name = name
        self.versions = versions.sorted()
        self.capabilities = capabilities
        self.ctExponent = ctExponent
        self.dataTransferSize = dataTransferSize
        self.maxSPDMMessageSize = maxSPDMMessageSize
        self.hashPreference = hashPreference
        self.asymPreference = asymPreference
        self.measurementHashPreference = measurementHashPreference.isEmpty ? hashPreference : measurementHashPreference
        self.measurementRawBitStreamOnly = measurementRawBitStreamOnly
        self.dhePreference = dhePreference
        self.aeadPreference = aeadPreference
        self.requesterAsymPreference = requesterAsymPreference
        // Without key pairs of its own, a device has one per slot (ids 1, 2, ... in slot order).
        if let keyPairs {
            self.slots = slots.sorted { $0.id < $1.id }
            self.keyPairs = keyPairs.sorted { $0.id < $1.id }
        } else {
            (self.slots, self.keyPairs) = KeyPair.onePerSlot(slots)
        }
        self.measurements = measurements
        self.certificatePortionLimit = certificatePortionLimit
        let provisioned = slots.reduce(UInt8(0)) { $0 | (1 << $1.id) }
        self.supportedSlotMask = (supportedSlotMask ?? provisioned) | provisioned
    }

    public var provisionedSlotMask: UInt8 { slots.reduce(0) { $0 | (1 << $1.id) } }

    /// Gives this device its own slots and key pairs (a fleet template's device with an identity of
    /// its own); `keyPairs` nil: one per slot, as at init.
    public mutating func replaceIdentity(slots: [CertificateSlot], keyPairs: [KeyPair]?) {
        if let keyPairs {
            self.slots = slots.sorted { $0.id < $1.id }
            self.keyPairs = keyPairs.sorted { $0.id < $1.id }
        } else {
            (self.slots, self.keyPairs) = KeyPair.onePerSlot(slots)
        }
        supportedSlotMask |= provisionedSlotMask
    }

    public func slot(_ id: UInt8) -> CertificateSlot? { slots.first { $0.id == id } }

    /// The EPInfo of GET_ENDPOINT_INFO SubCode 1: the configured identifiers, else one DMTF
    /// identifier (registry 0, no vendor ID, as DMTF keeps no vendor registry) whose one sub
    /// identifier is the device name (at most 255 bytes of it).
    public var endpointInfo: DeviceClassIdentifier {
        endpointIdentifiers ?? DeviceClassIdentifier(elements: [
            DeviceClassIdentifier.Element(registry: 0, subIdentifiers: [Array(Array(name.utf8).prefix(255))]),
        ])
    }
}

/// Mutual authentication (DSP0274 §10.8 basic mutual auth, §10.15 KEY_EXCHANGE_RSP MutAuthRequested):
/// the responder's choice, made per device.
public struct MutualAuthSettings: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Never ask.
        case none
        /// KEY_EXCHANGE_RSP MutAuthRequested bit 0: the requester signs FINISH with a chain this
        /// device already knows (`provisionedRequesterChains`), no encapsulated flow.
        case keyExchange = "key_exchange"
        /// Bit 1: the responder fetches the chain with encapsulated GET_DIGESTS and GET_CERTIFICATE first.
        case encapsulated
        /// Bit 2 (optimized): the requester delivers its DIGESTS right away, then GET_CERTIFICATE.
        case encapsulatedDigests = "encapsulated_digests"
        /// SPDM 1.1 basic mutual auth: CHALLENGE_AUTH BasicMutAuthReq, then encapsulated
        /// GET_DIGESTS, GET_CERTIFICATE and CHALLENGE.
        case basic
    }

    public var mode: Mode
    /// The roots a requester chain must chain up to.
    public var trustedRoots: [Certificate]
    /// Requester chains (DER certificates back to back, root first) known in advance, by the
    /// requester signature algorithm they sign with: used when no encapsulated flow fetches one.
    public var provisionedRequesterChains: [SigningAlgorithm: [UInt8]]
    /// The requester's public key known in advance (the requester has PUB_KEY_ID_CAP and signs
    /// FINISH with ReqSlotID 0xFF; mode key_exchange).
    public var requesterPublicKey: PublicKey?

    public init(mode: Mode = .none, trustedRoots: [Certificate] = [], provisionedRequesterChains: [SigningAlgorithm: [UInt8]] = [:]) {
        self.mode = mode
        self.trustedRoots = trustedRoots
        self.provisionedRequesterChains = provisionedRequesterChains
    }

    /// The KEY_EXCHANGE_RSP MutAuthRequested value of this mode (0 for none and basic).
    public var keyExchangeRequest: UInt8 {
        switch mode {
        case .keyExchange: return 0x01
        case .encapsulated: return 0x02
        case .encapsulatedDigests: return 0x04
        case .none, .basic: return 0
        }
    }
}

extension ResponderDevice {
    /// True when `key` signs with one of the device's algorithms, classic or post-quantum.
    public func hasAlgorithm(for key: PrivateKey) -> Bool {
        asymPreference.contains { key.matches($0) } || pqcAsymPreference.contains { key.matches($0) }
    }

    /// The device's signing algorithms by name, classic first (for messages).
    public var asymNames: [String] {
        asymPreference.map(\.rawValue) + pqcAsymPreference.map(\.displayName)
    }
}
