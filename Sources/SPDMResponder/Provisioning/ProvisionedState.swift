import SPDMWire

/// What a device acknowledged to provisioning requests (DSP0274 §10.22 GET_CSR, §10.23
/// SET_CERTIFICATE, §10.26 SET_KEY_PAIR_INFO): the part of a device a requester can change and that
/// must survive a restart and a kill -9. It is a value of the device: the connection that handled
/// the request changes its copy, the commit point (ResponderConnection.handle) hands it to
/// `ProvisioningCommit` before the acknowledging response leaves, and the daemon gives it to the
/// device's other connections (`ResponderConnection.updateProvisioned`).
///
/// Empty means "exactly the config": every field records a difference from it.
public struct ProvisionedState: Sendable, Hashable, Codable {
    /// Chains SET_CERTIFICATE installed, by slot id; they replace whatever the config put there.
    public var installedChains: [UInt8: InstalledChain]
    /// Slots SET_CERTIFICATE erased (1.3 Erase): nothing is served from them any more.
    public var erasedSlots: Set<UInt8>
    /// Key pair settings SET_KEY_PAIR_INFO changed, by KeyPairID.
    public var keyPairs: [UInt8: KeyPairSettings]
    /// Changes acknowledged with ERROR(ResetRequired): they apply at the next device reset
    /// (CERT_INSTALL_RESET_CAP, SET_KEY_PAIR_RESET_CAP).
    public var pendingReset: PendingReset
    /// Bumped by every acknowledged change; the commit point compares it, nothing else reads it.
    public var revision: UInt64

    public init(installedChains: [UInt8: InstalledChain] = [:], erasedSlots: Set<UInt8> = [],
                keyPairs: [UInt8: KeyPairSettings] = [:], pendingReset: PendingReset = PendingReset(), revision: UInt64 = 0) {
        self.installedChains = installedChains
        self.erasedSlots = erasedSlots
        self.keyPairs = keyPairs
        self.pendingReset = pendingReset
        self.revision = revision
    }

    public var isEmpty: Bool {
        installedChains.isEmpty && erasedSlots.isEmpty && keyPairs.isEmpty && pendingReset.isEmpty
    }
}

/// A chain installed by SET_CERTIFICATE (DSP0274 §10.23).
public struct InstalledChain: Sendable, Hashable, Codable {
    /// DER certificates back to back, root (or first intermediate) first, leaf last — the chain
    /// without the SPDM Length/Reserved/RootHash header.
    public var certificatesDER: [UInt8]
    /// The certificate whose hash is the RootHash (the chain's first certificate unless known).
    public var rootCertificateDER: [UInt8]
    /// The key pair whose key the leaf certifies (1.3 KeyPairID; 0 before 1.3 or without multi-key).
    public var keyPairID: UInt8
    /// CertificateInfo CertModel: 1 DeviceCert, 2 AliasCert, 3 GenericCert.
    public var certificateModel: UInt8

    public init(certificatesDER: [UInt8], rootCertificateDER: [UInt8], keyPairID: UInt8, certificateModel: UInt8) {
        self.certificatesDER = certificatesDER
        self.rootCertificateDER = rootCertificateDER
        self.keyPairID = keyPairID
        self.certificateModel = certificateModel
    }
}

/// One key pair's settings as SET_KEY_PAIR_INFO, SET_CERTIFICATE or GET_CSR left them (DSP0274 1.3
/// §10.25-10.26). Present for a key pair means "all of these replace the config's values".
public struct KeyPairSettings: Sendable, Hashable, Codable {
    /// CurrentKeyUsage bits (KeyUsageMask).
    public var keyUsage: UInt16
    /// CurrentAsymAlgo (the key pair's KeyPairAsymAlgorithms bit; 0 when erased).
    public var asymAlgorithm: UInt32
    /// CurrentPqcAsymAlgo (1.4).
    public var pqcAsymAlgorithm: UInt32
    /// AssocCertSlotMask: the slots whose chains certify this key pair (a slot belongs to one key pair).
    public var associatedSlotMask: UInt8
    /// Erased by the Erase operation (or by a Change to another algorithm): the key pair holds no
    /// key until one is generated.
    public var erased: Bool
    /// A key the device generated for this key pair (SET_KEY_PAIR_INFO Generate, or GET_CSR for an
    /// empty key pair), unencrypted PKCS#8 DER: it replaces the config's key. Secret: whoever stores
    /// this value keeps it readable by the daemon only.
    public var generatedKey: [UInt8]?

    public init(keyUsage: UInt16, asymAlgorithm: UInt32, pqcAsymAlgorithm: UInt32 = 0, associatedSlotMask: UInt8,
                erased: Bool = false, generatedKey: [UInt8]? = nil) {
        self.keyUsage = keyUsage
        self.asymAlgorithm = asymAlgorithm
        self.pqcAsymAlgorithm = pqcAsymAlgorithm
        self.associatedSlotMask = associatedSlotMask
        self.erased = erased
        self.generatedKey = generatedKey
    }
}

/// What waits for the next device reset.
public struct PendingReset: Sendable, Hashable, Codable {
    /// Chains acknowledged with ResetRequired, by slot id (installed at reset).
    public var installedChains: [UInt8: InstalledChain]
    /// Slots whose erase waits for the reset.
    public var erasedSlots: Set<UInt8>
    /// Key pair settings acknowledged with ResetRequired.
    public var keyPairs: [UInt8: KeyPairSettings]
    /// GET_CSR requests answered with ResetRequired, by CSRTrackingTag (1.3: 1-7; before 1.3, which
    /// has no tag, the one pending request is under 0): after the reset (which sets `ready`) the same
    /// request — at 1.3 carrying that tag — gets the CSR, once.
    public var csrRequests: [UInt8: PendingCSR]

    public init(installedChains: [UInt8: InstalledChain] = [:], erasedSlots: Set<UInt8> = [],
                keyPairs: [UInt8: KeyPairSettings] = [:], csrRequests: [UInt8: PendingCSR] = [:]) {
        self.installedChains = installedChains
        self.erasedSlots = erasedSlots
        self.keyPairs = keyPairs
        self.csrRequests = csrRequests
    }

    public var isEmpty: Bool { installedChains.isEmpty && erasedSlots.isEmpty && keyPairs.isEmpty && csrRequests.isEmpty }
}

/// A GET_CSR request waiting for the device reset (CERT_INSTALL_RESET_CAP).
public struct PendingCSR: Sendable, Hashable, Codable {
    public var keyPairID: UInt8
    public var requestAttributes: UInt8
    public var requesterInfo: [UInt8]
    public var opaqueData: [UInt8]
    /// Set once the device was reset: the CSR is then answered to the matching request.
    public var ready: Bool

    public init(keyPairID: UInt8, requestAttributes: UInt8, requesterInfo: [UInt8], opaqueData: [UInt8], ready: Bool = false) {
        self.keyPairID = keyPairID
        self.requestAttributes = requestAttributes
        self.requesterInfo = requesterInfo
        self.opaqueData = opaqueData
        self.ready = ready
    }
}

/// Where a device's acknowledged provisioning goes before the acknowledging response leaves. The
/// daemon writes it to the device's state directory (atomically) and publishes it to the device's
/// other connections; a throw turns the response into ERROR(Unspecified) — or, when it throws a
/// `ResponderError`, into that ERROR (the daemon's Busy when another connection of the device
/// committed first) — and the connection keeps its previous state. Tests keep it in memory.
public typealias ProvisioningCommit = @Sendable (_ device: String, _ state: ProvisionedState) throws -> Void
