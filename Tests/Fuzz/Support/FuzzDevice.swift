import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMTestFixtures
import SPDMWire

/// The device and requester the stateful targets run back to back: an ECDSA P-384 / SHA-384
/// device (the reference requester's default algorithms) with certificates, signed measurements,
/// KEY_EXCHANGE and PSK sessions (with context, so PSK_FINISH follows), heartbeat and key update —
/// the shape of the responder tests' SessionPair.
public enum FuzzDevice {
    public static let pskHint: [UInt8] = Array("TestPskHint".utf8) + [0]
    public static let pskKey: [UInt8] = Array("TestPskData".utf8) + [0]

    public static let responderCapabilities: CapabilityFlags = [.cert, .chal, .measWithSignature, .encrypt, .mac, .keyEx,
                                                                .pskWithContext, .heartbeat, .keyUpdate, .mel, .endpointInfoWithSignature, .event]
    public static let requesterCapabilities: CapabilityFlags = [.cert, .chal, .encrypt, .mac, .keyEx, .pskWithoutContext,
                                                                .heartbeat, .keyUpdate, .endpointInfoWithSignature]

    public static let measurements = MeasurementTable(entries: [
        .init(index: 1, type: .immutableROM, value: Array("boot rom".utf8), representation: .digest, tcb: true),
        .init(index: 2, type: .mutableFirmware, value: Array("firmware 2.1".utf8), representation: .digest, tcb: true),
        .init(index: 3, type: .version, value: Array("2.1.0".utf8), representation: .raw, tcb: false),
        .init(index: 4, type: .hashExtendMeasurement, value: [], representation: .digest, tcb: false),
    ], log: [
        .init(type: .informational, value: Array("boot rom".utf8)),
        .init(type: .mutableFirmware, value: Array("firmware 2.1".utf8), representation: .digest),
    ])

    public static var chain: TestChain { TestChains.p384 }

    /// The requester's own chain for mutual authentication (P-256: quick to sign with).
    public static var requesterChain: TestChain { TestChains.p256 }
    public static let requesterAsym = SignatureAlgorithm.ecdsaP256

    /// DataTransferSize of both sides of a chunking connection: the smallest the specification
    /// allows, so that nearly every message after CAPABILITIES is a large one.
    public static let chunkingTransferSize: UInt32 = 42
    public static let chunkingMaxMessageSize: UInt32 = 65_536

    /// Whether the device provisions (SET_CERT, CSR, GET/SET_KEY_PAIR_INFO, MULTI_KEY_NEG), and
    /// whether it needs a reset for that (CERT_INSTALL_RESET, SET_KEY_PAIR_RESET).
    public enum Provisioning: Sendable, Hashable {
        case none, direct, resetRequired
    }

    /// Key pair 1 of a provisioning device: a P-256 key no slot uses (key pair 2 is slot 0's).
    public static let spareKey = TestChains.p256.leafKey

    /// `mutualAuth`: how the device asks the requester to authenticate (MUT_AUTH_CAP and ENCAP_CAP
    /// on both sides, the requester's chain trusted and provisioned). `chunking`: CHUNK_CAP and the
    /// smallest DataTransferSize, so large messages travel in CHUNK_SEND / CHUNK_GET.
    public static func responderDevice(mutualAuth: MutualAuthSettings.Mode = .none, chunking: Bool = false,
                                       provisioning: Provisioning = .none) -> ResponderDevice {
        var capabilities = mutualAuth == .none ? responderCapabilities : responderCapabilities.union([.mutAuth, .encap])
        if chunking { capabilities.insert(.chunk) }
        var slot = chain.slot()
        var keyPairs: [KeyPair]? = nil
        if provisioning != .none {
            capabilities.formUnion([.setCert, .csr, .getKeyPairInfo, .setKeyPairInfo, .multiKeyNegotiated])
            if provisioning == .resetRequired { capabilities.formUnion([.certInstallReset, .setKeyPairReset]) }
            slot.keyPairID = 2
            keyPairs = [KeyPair(id: 1, privateKey: spareKey, asymAlgorithmCapabilities: [.ecc256, .ecc384]),
                        KeyPair(id: 2, privateKey: chain.leafKey)]
        }
        var device = ResponderDevice(name: "fuzz", versions: SPDMVersion.all, capabilities: capabilities,
                                     dataTransferSize: chunking ? chunkingTransferSize : 4096,
                                     maxSPDMMessageSize: chunking ? chunkingMaxMessageSize : 4096,
                                     hashPreference: [.sha384], asymPreference: [.ecdsaP384], dhePreference: [.secp384r1],
                                     aeadPreference: [.aes256GCM], slots: [slot], keyPairs: keyPairs,
                                     supportedSlotMask: provisioning == .none ? nil : 0x03, measurements: measurements)
        device.sessionSettings.psks = [.init(hint: pskHint, key: pskKey)]
        device.sessionSettings.heartbeatPeriod = 5
        device.sessionSettings.maxSessions = 4
        device.vendorDefined = vendorDefined
        if mutualAuth != .none {
            device.requesterAsymPreference = [requesterAsym]
            device.mutualAuth = MutualAuthSettings(mode: mutualAuth, trustedRoots: [requesterChain.root],
                                                   provisionedRequesterChains: [.classic(requesterAsym): requesterChain.certificatesDER])
        }
        return device
    }

    /// `chunking`: CHUNK_CAP and the smallest DataTransferSize; `multiKey`: offer MULTI_KEY_NEG and ask
    /// for a multi-key connection (1.3+).
    public static func requesterConfiguration(version: SPDMVersion, mutualAuth: Bool = false, chunking: Bool = false,
                                              multiKey: Bool = false) -> RequesterConfiguration {
        var configuration = RequesterConfiguration(
            forcedVersion: version,
            capabilities: requesterCapabilities.union(chunking ? [.chunk] : []).union(multiKey ? [.multiKeyNegotiated] : []),
            dataTransferSize: chunking ? chunkingTransferSize : 4096, maxSPDMMessageSize: chunking ? chunkingMaxMessageSize : 4096,
            otherParams: multiKey ? [.opaqueDataFormat1, .multiKeyConnection] : .opaqueDataFormat1, dhe: DHEGroups(rawValue: 0x3F),
            aead: AEADSuites(rawValue: 0x07), keySchedule: .spdm, trustedRoots: [chain.root],
            chainOptions: ChainVerifier.Options(validAt: nil))
        if mutualAuth {
            configuration.capabilities.formUnion([.mutAuth, .encap])
            let requester = requesterChain
            configuration.requesterIdentity = try? RequesterCredentials(
                certificates: [requester.root, requester.intermediate, requester.leaf], privateKey: requester.leafKey,
                algorithm: .classic(requesterAsym))
        }
        return configuration
    }
}
