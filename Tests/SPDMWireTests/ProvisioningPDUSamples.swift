@testable import SPDMWire

/// Samples of the provisioning PDUs (GET_CSR, SET_CERTIFICATE, key pair info) and the 1.3 multi-key DIGESTS.
extension Samples {
    static let requesterInfo: [UInt8] = [0x30, 0x0A, 0x02, 0x01, 0x00, 0x30, 0x00, 0x30, 0x00, 0xA0, 0x00, 0x00]

    static var provisioning: [PDUSample] {
        var samples: [PDUSample] = []
        for version in [SPDMVersion.v12, .v13, .v14] {
            let context = negotiated(version)
            let modern = version >= .v13
            let attributes = modern ? GetCSRRequest.Attributes(certificateModel: .deviceCert, trackingTag: 5) : .init(rawValue: 0)
            samples.append(.message("GET_CSR \(version)",
                                    GetCSRRequest(version: version, keyPairID: modern ? 2 : 0, attributes: attributes,
                                                  requesterInfo: requesterInfo, opaqueData: [1, 2, 3, 4]),
                                    context: context))
            samples.append(.message("GET_CSR \(version) empty", GetCSRRequest(version: version), context: context))
            samples.append(.message("CSR \(version)", CSRResponse(version: version, csr: bytes(300, 21)), context: context))
            samples.append(.message("SET_CERTIFICATE \(version)",
                                    SetCertificateRequest(version: version, slotID: 3, certificateModel: modern ? .aliasCert : .none,
                                                          keyPairID: modern ? 4 : 0, certificateChain: bytes(400, 2)),
                                    context: context, prefixesThrow: false))
            samples.append(.message("SET_CERTIFICATE_RSP \(version)", SetCertificateResponse(version: version, slotID: 3), context: context))
            guard modern else { continue }
            samples.append(.message("SET_CERTIFICATE \(version) erase",
                                    SetCertificateRequest(version: version, slotID: 2, erase: true, keyPairID: 1, certificateChain: []),
                                    context: context))
            samples.append(.message("GET_KEY_PAIR_INFO \(version)", GetKeyPairInfoRequest(version: version, keyPairID: 3), context: context))
            samples.append(.message("KEY_PAIR_INFO \(version)",
                                    KeyPairInfoResponse(version: version, totalKeyPairs: 3, keyPairID: 2, capabilities: .defined,
                                                        keyUsageCapabilities: .spdm, currentKeyUsage: [.keyExchange, .challenge],
                                                        asymAlgorithmCapabilities: [.ecc384, .ecc256], currentAsymAlgorithm: .ecc384,
                                                        associatedSlotMask: 0x03, publicKeyInfo: bytes(18, 7),
                                                        pqcAsymAlgorithmCapabilities: version >= .v14 ? 0x07 : 0,
                                                        currentPqcAsymAlgorithm: 0),
                                    context: context))
            for operation in [KeyPairOperation.change, .generate] {
                samples.append(.message("SET_KEY_PAIR_INFO \(version) \(operation)",
                                        SetKeyPairInfoRequest(version: version, operation: operation, keyPairID: 1,
                                                              desiredKeyUsage: .challenge, desiredAsymAlgorithm: .ecc384,
                                                              desiredAssociatedSlotMask: 0x04,
                                                              desiredPqcAsymAlgorithm: version >= .v14 ? 0x02 : 0),
                                        context: context))
            }
            samples.append(.message("SET_KEY_PAIR_INFO \(version) erase",
                                    SetKeyPairInfoRequest(version: version, operation: .erase, keyPairID: 1), context: context))
            samples.append(.message("SET_KEY_PAIR_INFO_ACK \(version)", SetKeyPairInfoAckResponse(version: version), context: context))
            var multiKey = context
            multiKey.multiKeyConnection = true
            samples.append(.message("DIGESTS \(version) multi-key",
                                    DigestsResponse(version: version, supportedSlotMask: 0x0F, provisionedSlotMask: 0x05,
                                                    digests: [bytes(48, 3), bytes(48, 9)], keyPairIDs: [1, 2],
                                                    certificateInfos: [1, 3], keyUsageMasks: [.spdm, .challenge]),
                                    context: multiKey))
        }
        return samples
    }
}
