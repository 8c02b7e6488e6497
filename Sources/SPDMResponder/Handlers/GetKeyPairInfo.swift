import SPDMCore
import SPDMWire

/// GET_KEY_PAIR_INFO -> KEY_PAIR_INFO (DSP0274 1.3 §10.25; GET_KEY_PAIR_INFO_CAP): one key pair
/// as the device holds it now. Capabilities read 0 on a device without SET_KEY_PAIR_INFO_CAP
/// (nothing can be changed there).
extension ResponderConnection {
    mutating func handleGetKeyPairInfo(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let message = try GetKeyPairInfoRequest(decoding: request, context: algorithms.wireContext)
        guard message.keyPairID != 0, let pair = device.servedKeyPair(message.keyPairID) else {
            throw ResponderError.invalidRequest("no key pair \(message.keyPairID) (TotalKeyPairs \(device.totalKeyPairs))")
        }

        // Process + build
        let changeable = device.capabilities.contains(.setKeyPairInfo)
        return KeyPairInfoResponse(
            version: algorithms.version, totalKeyPairs: device.totalKeyPairs, keyPairID: pair.id,
            capabilities: changeable ? pair.configured.capabilities : [],
            keyUsageCapabilities: pair.configured.keyUsageCapabilities, currentKeyUsage: pair.keyUsage,
            asymAlgorithmCapabilities: pair.configured.asymAlgorithmCapabilities, currentAsymAlgorithm: pair.asymAlgorithm,
            associatedSlotMask: pair.associatedSlotMask,
            publicKeyInfo: pair.privateKey?.publicKey.algorithmIdentifierDER ?? [],
            pqcAsymAlgorithmCapabilities: pair.configured.configuredPQCAlgorithm.rawValue, currentPqcAsymAlgorithm: pair.pqcAsymAlgorithm
        ).encoded(context: algorithms.wireContext)
        // Update: nothing (KEY_PAIR_INFO joins no transcript).
    }
}
