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

    /// The post-quantum device's chain (ML-DSA-65) and the requester's ML-DSA-65 identity.
    public static var postQuantumChain: TestChain { TestChains.mlDsa65 }
    public static var postQuantumRequesterChain: TestChain { TestChains.mlDsa65Requester }
    /// Both sides of a post-quantum connection: KEY_EXCHANGE_RSP (ML-KEM-768 ciphertext, ML-DSA-65
    /// signature) is about 4.5 KB.
    public static let postQuantumTransferSize: UInt32 = 8192

    /// `mutualAuth`: how the device asks the requester to authenticate (MUT_AUTH_CAP and ENCAP_CAP
    /// on both sides, the requester's chain trusted and provisioned). `chunking`: CHUNK_CAP and the
    /// smallest DataTransferSize, so large messages travel in CHUNK_SEND / CHUNK_GET. `postQuantum`:
    /// an SPDM 1.4 device signing with ML-DSA-65 and encapsulating with ML-KEM-768 only, PQC first,
    /// taking an ML-DSA-65 requester key for mutual authentication.
    public static func responderDevice(mutualAuth: MutualAuthSettings.Mode = .none, chunking: Bool = false,
                                       provisioning: Provisioning = .none, postQuantum: Bool = false) -> ResponderDevice {
        if postQuantum { return postQuantumDevice(mutualAuth: mutualAuth) }
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

    private static func postQuantumDevice(mutualAuth: MutualAuthSettings.Mode) -> ResponderDevice {
        var capabilities = responderCapabilities
        if mutualAuth != .none { capabilities.formUnion([.mutAuth, .encap]) }
        var device = ResponderDevice(name: "fuzz-pqc", versions: SPDMVersion.all, capabilities: capabilities,
                                     dataTransferSize: postQuantumTransferSize, maxSPDMMessageSize: postQuantumTransferSize,
                                     hashPreference: [.sha384], asymPreference: [], aeadPreference: [.aes256GCM],
                                     slots: [postQuantumChain.slot()], measurements: measurements)
        device.pqcAsymPreference = [.mlDsa65]
        device.kemPreference = [.mlKem768]
        device.pqcFirst = true
        device.sessionSettings.psks = [.init(hint: pskHint, key: pskKey)]
        device.sessionSettings.heartbeatPeriod = 5
        device.sessionSettings.maxSessions = 4
        if mutualAuth != .none {
            device.requesterPQCAsymPreference = [.mlDsa65]
            device.mutualAuth = MutualAuthSettings(mode: mutualAuth, trustedRoots: [postQuantumRequesterChain.root],
                                                   provisionedRequesterChains: [.pqc(.mlDsa65): postQuantumRequesterChain.certificatesDER])
        }
        return device
    }

    /// `chunking`: CHUNK_CAP and the smallest DataTransferSize; `multiKey`: offer MULTI_KEY_NEG and ask
    /// for a multi-key connection (1.3+); `postQuantum`: offer ML-DSA and ML-KEM too, trust the
    /// post-quantum chain, and (with `mutualAuth`) hold the ML-DSA-65 requester identity.
    public static func requesterConfiguration(version: SPDMVersion, mutualAuth: Bool = false, chunking: Bool = false,
                                              multiKey: Bool = false, postQuantum: Bool = false) -> RequesterConfiguration {
        if postQuantum { return postQuantumRequesterConfiguration(version: version, mutualAuth: mutualAuth) }
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

    private static func postQuantumRequesterConfiguration(version: SPDMVersion, mutualAuth: Bool) -> RequesterConfiguration {
        var configuration = RequesterConfiguration(
            forcedVersion: version, capabilities: requesterCapabilities,
            dataTransferSize: postQuantumTransferSize, maxSPDMMessageSize: postQuantumTransferSize,
            otherParams: .opaqueDataFormat1, dhe: DHEGroups(rawValue: 0x3F), aead: AEADSuites(rawValue: 0x07), keySchedule: .spdm,
            trustedRoots: [postQuantumChain.root], chainOptions: ChainVerifier.Options(validAt: nil))
        configuration.pqcAsym = RequesterConfiguration.allPQCAsym
        configuration.kem = RequesterConfiguration.allKEM
        if mutualAuth {
            configuration.capabilities.formUnion([.mutAuth, .encap])
            let requester = postQuantumRequesterChain
            configuration.requesterIdentity = try? RequesterCredentials(
                certificates: [requester.root, requester.intermediate, requester.leaf], privateKey: requester.leafKey,
                algorithm: .pqc(.mlDsa65))
        }
        return configuration
    }
}
