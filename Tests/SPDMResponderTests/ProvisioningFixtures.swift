import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMResponder
import SPDMWire

/// What the commit point handed to persistence, for the provisioning tests.
final class CommitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [ProvisionedState] = []
    /// When set, every commit throws (the daemon could not persist).
    var failing = false

    var commits: [ProvisionedState] { lock.withLock { states } }
    var last: ProvisionedState? { commits.last }

    var commit: ProvisioningCommit {
        { [self] _, state in
            try lock.withLock {
                if failing { throw CocoaError(.fileWriteUnknown) }
                states.append(state)
            }
        }
    }
}

enum ProvisioningFixtures {
    static let capabilities: CapabilityFlags = [.cert, .chal, .measWithSignature, .setCert, .csr, .getKeyPairInfo,
                                                .setKeyPairInfo, .multiKeyNegotiated]
    /// Key pair 1: a P-384 key no slot uses (ECC256 allowed too). Key pair 2: the P-384 test chain's
    /// leaf key, backing slot 0. Slots 0 and 1 are supported.
    static let sparePair = TestChain.make(.ecdsaP384, name: "spare key pair").leafKey

    static func device(capabilities: CapabilityFlags = ProvisioningFixtures.capabilities, versions: [SPDMVersion] = SPDMVersion.all,
                       keyPairCapabilities: KeyPairCapabilities = .defined, provisioned: ProvisionedState = ProvisionedState()) -> ResponderDevice {
        var slot = TestChains.p384.slot(0)
        slot.keyPairID = 2
        var device = ResponderDevice(
            name: "prov", versions: versions, capabilities: capabilities, hashPreference: [.sha384], asymPreference: [.ecdsaP384],
            slots: [slot],
            keyPairs: [KeyPair(id: 1, privateKey: sparePair, capabilities: keyPairCapabilities, asymAlgorithmCapabilities: [.ecc256]),
                       KeyPair(id: 2, privateKey: TestChains.p384.leafKey, capabilities: keyPairCapabilities)],
            supportedSlotMask: 0x03, measurements: Fixtures.measurements)
        device.provisioned = provisioned
        return device
    }
}

extension Harness {
    init(device: ResponderDevice, version: SPDMVersion, log: CommitLog) {
        self.init(device: device, version: version)
        responder = ResponderConnection(device: device, random: FixedRandom(), commitProvisioning: log.commit)
    }

    /// VCA at `version`; at 1.3+ the requester offers MULTI_KEY_NEG and asks for a multi-key connection
    /// when `multiKey`.
    static func provisioning(_ device: ResponderDevice = ProvisioningFixtures.device(), version: SPDMVersion = .v13,
                             multiKey: Bool = true, log: CommitLog = CommitLog()) -> Harness {
        var harness = Harness(device: device, version: version, log: log)
        harness.runVersion()
        let capabilities = GetCapabilitiesRequest(version: version, flags: version >= .v13 ? [.multiKeyNegotiated] : [],
                                                  dataTransferSize: 4096, maxSPDMMessageSize: 4096)
        precondition(harness.send(capabilities.encoded(context: .unnegotiated(version)))[1] == ResponseCode.capabilities.rawValue)
        let other: OtherParams = multiKey ? [.opaqueDataFormat1, .multiKeyConnection] : .opaqueDataFormat1
        let algorithms = NegotiateAlgorithmsRequest(version: version, otherParams: version >= .v12 ? other : [],
                                                    baseAsym: RequesterConfiguration.allAsym, baseHash: RequesterConfiguration.allHashes)
        let response = harness.send(algorithms.encoded(context: .unnegotiated(version)))
        precondition(response[1] == ResponseCode.algorithms.rawValue, "VCA failed: \(response)")
        return harness
    }

    /// The current served state of the device on this connection.
    var device: ResponderDevice { responder.device }
}

/// SPDM certificate chains for SET_CERTIFICATE.
enum ChainBytes {
    static func spdm(_ chain: TestChain, hash: HashAlgorithm = .sha384) -> [UInt8] {
        CertificateChainFormat.build(rootHash: Digest.hash(hash, chain.root.der), certificatesDER: chain.certificatesDER)
    }

    /// A chain root -> intermediate -> leaf for `key` (a device key pair's key).
    static func chain(for key: PrivateKey, name: String) -> TestChain { TestChain.make(.ecdsaP384, name: name, leafKey: key) }
}
