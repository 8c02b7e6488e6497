import SPDMCore
import SPDMCrypto
import SPDMFuzzSupport
import SPDMTestFixtures
import SPDMWire

/// The provisioning requests as DMTF's requester sends them (key pair info, change and erase of key
/// pair 1, GET_CSR, SET_CERTIFICATE of slot 0) plus the other forms (a RequesterInfo, opaque data,
/// Erase, Generate, a CSRTrackingTag), for the FuzzResponder and FuzzWirePDU seeds.
enum ProvisioningRequests {
    /// The requests in the clear; `multiKey` names key pairs as on a multi-key connection.
    static func plain(_ version: SPDMVersion, multiKey: Bool) -> [[UInt8]] {
        let context = WireContext.unnegotiated(version)
        let modern = version >= .v13
        let spdmChain = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, FuzzDevice.chain.root.der),
                                                     certificatesDER: FuzzDevice.chain.certificatesDER)
        let requesterInfo = (try? CertificateSigningRequest.requesterInfo(subject: "CN=fuzz,O=Seed", publicKey: FuzzDevice.chain.leafKey.publicKey)) ?? []
        let model: CertificateModel = multiKey ? .deviceCert : .none
        var requests: [[UInt8]] = []
        if modern {
            requests.append(GetKeyPairInfoRequest(version: version, keyPairID: 1).encoded(context: context))
            requests.append(GetKeyPairInfoRequest(version: version, keyPairID: 2).encoded(context: context))
            requests.append(SetKeyPairInfoRequest(version: version, operation: .change, keyPairID: 1).encoded(context: context))
            requests.append(SetKeyPairInfoRequest(version: version, operation: .erase, keyPairID: 1).encoded(context: context))
        }
        requests.append(GetCSRRequest(version: version, keyPairID: multiKey ? 1 : 0, attributes: .init(certificateModel: model))
            .encoded(context: context))
        requests.append(GetCSRRequest(version: version, keyPairID: multiKey ? 2 : 0, attributes: .init(certificateModel: model),
                                      requesterInfo: requesterInfo, opaqueData: [1, 0, 0, 0, 0, 0, 2, 0, 0xAA, 0xBB, 0, 0])
            .encoded(context: context))
        requests.append(SetCertificateRequest(version: version, slotID: 0, certificateModel: model, keyPairID: multiKey ? 2 : 0,
                                              certificateChain: spdmChain).encoded(context: context))
        requests.append(SessionRequests.header(version, .getDigests))
        if modern {
            requests.append(GetCSRRequest(version: version, keyPairID: multiKey ? 1 : 0, attributes: .init(certificateModel: model, trackingTag: 1))
                .encoded(context: context))
            requests.append(SetKeyPairInfoRequest(version: version, operation: .generate, keyPairID: 1, desiredKeyUsage: .challenge,
                                                  desiredAsymAlgorithm: .ecc256, desiredAssociatedSlotMask: 0x02).encoded(context: context))
            requests.append(SetCertificateRequest(version: version, slotID: 0, erase: true, keyPairID: multiKey ? 2 : 0, certificateChain: [])
                .encoded(context: context))
        }
        return requests
    }

    /// Inside a session: slot 1 takes a chain there.
    static func inSession(_ version: SPDMVersion) -> [[UInt8]] {
        let spdmChain = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, FuzzDevice.chain.root.der),
                                                     certificatesDER: FuzzDevice.chain.certificatesDER)
        return [SetCertificateRequest(version: version, slotID: 1, certificateModel: .deviceCert, keyPairID: 2,
                                      certificateChain: spdmChain).encoded(context: .unnegotiated(version))]
            + plain(version, multiKey: true)
    }

    /// One response of each provisioning kind, for FuzzWirePDU.
    static func responses(_ version: SPDMVersion) -> [(String, [UInt8])] {
        let context = WireContext.unnegotiated(version)
        let csr = (try? CertificateSigningRequest.make(key: FuzzDevice.chain.leafKey, hash: .sha384, content: .init(defaultCommonName: "fuzz"))) ?? []
        var responses: [(String, [UInt8])] = [
            ("CSRResponse", CSRResponse(version: version, csr: csr).encoded(context: context)),
            ("SetCertificateResponse", SetCertificateResponse(version: version, slotID: 1).encoded(context: context)),
        ]
        if version >= .v13 {
            responses.append(("KeyPairInfoResponse", KeyPairInfoResponse(
                version: version, totalKeyPairs: 2, keyPairID: 2, capabilities: .defined, keyUsageCapabilities: .spdm,
                currentKeyUsage: .spdm, asymAlgorithmCapabilities: .ecc384, currentAsymAlgorithm: .ecc384, associatedSlotMask: 1,
                publicKeyInfo: FuzzDevice.chain.leafKey.publicKey.algorithmIdentifierDER).encoded(context: context)))
            responses.append(("SetKeyPairInfoAckResponse", SetKeyPairInfoAckResponse(version: version).encoded(context: context)))
        }
        return responses
    }
}
