import SPDMResponder

/// Provisioned states for the persistence tests: every field set, with real chains.
public enum ProvisionedSamples {
    public static func chain(_ test: TestChain, keyPair: UInt8 = 0, model: UInt8 = 1) -> InstalledChain {
        InstalledChain(certificatesDER: test.certificatesDER, rootCertificateDER: test.root.der, keyPairID: keyPair, certificateModel: model)
    }

    /// Installed and erased slots, key pairs (one erased), and a pending reset holding a chain, an
    /// erase, key pair settings and two CSR requests (one ready).
    public static var everyField: ProvisionedState {
        ProvisionedState(
            installedChains: [1: chain(TestChains.p256, keyPair: 1), 7: chain(TestChains.p384, keyPair: 2, model: 2)],
            erasedSlots: [3, 5],
            keyPairs: [1: KeyPairSettings(keyUsage: 0x0003, asymAlgorithm: 0x10, pqcAsymAlgorithm: 0, associatedSlotMask: 0x02),
                       2: KeyPairSettings(keyUsage: 0x0001, asymAlgorithm: 0x80, pqcAsymAlgorithm: 0x04, associatedSlotMask: 0x80),
                       9: KeyPairSettings(keyUsage: 0, asymAlgorithm: 0, associatedSlotMask: 0, erased: true)],
            pendingReset: PendingReset(
                installedChains: [2: chain(TestChains.p256, keyPair: 1, model: 3)],
                erasedSlots: [4],
                keyPairs: [1: KeyPairSettings(keyUsage: 0x0002, asymAlgorithm: 0x10, associatedSlotMask: 0x06)],
                csrRequests: [1: PendingCSR(keyPairID: 1, requestAttributes: 0x10, requesterInfo: [0x30, 0x00], opaqueData: [1, 2, 3, 4]),
                              7: PendingCSR(keyPairID: 2, requestAttributes: 0, requesterInfo: [], opaqueData: [], ready: true)]),
            revision: 41)
    }
}
