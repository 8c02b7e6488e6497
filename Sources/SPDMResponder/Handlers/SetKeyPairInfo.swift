import SPDMCore
import SPDMCrypto
import SPDMWire

/// SET_KEY_PAIR_INFO -> SET_KEY_PAIR_INFO_ACK (DSP0274 1.3 §10.26; SET_KEY_PAIR_INFO_CAP): Change
/// (key usage, algorithm, associated slots), Erase (the key; only of a key pair no slot uses) or
/// Generate (a new key) — each only as far as the key pair's Capabilities allow, checked in
/// libspdm's order with its error codes. A Change to another algorithm drops the key (a key has
/// one type); a desired usage or algorithm of 0 leaves it as it is. At 1.4 with
/// SET_KEY_PAIR_RESET_CAP the change waits for the device reset (ERROR(ResetRequired)).
extension ResponderConnection {
    mutating func handleSetKeyPairInfo(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let message = try SetKeyPairInfoRequest(decoding: request, context: algorithms.wireContext)
        guard message.keyPairID != 0, let pair = device.servedKeyPair(message.keyPairID) else {
            throw ResponderError.invalidRequest("no key pair \(message.keyPairID) (TotalKeyPairs \(device.totalKeyPairs))")
        }
        try checkKeyPairChange(message, pair: pair)

        // Process
        var settings = device.recordedSettings(of: pair)
        switch message.operation {
        case .erase:
            settings = KeyPairSettings(keyUsage: 0, asymAlgorithm: 0, associatedSlotMask: 0, erased: true)
        case .generate:
            var target = pair
            if !message.desiredAsymAlgorithm.isEmpty { target.asymAlgorithm = message.desiredAsymAlgorithm }
            let key = try generateKey(for: target, algorithms: algorithms)
            settings = KeyPairSettings(keyUsage: message.desiredKeyUsage.isEmpty ? pair.keyUsage.rawValue : message.desiredKeyUsage.rawValue,
                                       asymAlgorithm: KeyPairAsymAlgorithms(keyType: key.keyType).rawValue,
                                       associatedSlotMask: message.desiredAssociatedSlotMask, generatedKey: key.pkcs8DER)
        default:
            if !message.desiredKeyUsage.isEmpty { settings.keyUsage = message.desiredKeyUsage.rawValue }
            if !message.desiredAsymAlgorithm.isEmpty && message.desiredAsymAlgorithm != pair.asymAlgorithm {
                settings.asymAlgorithm = message.desiredAsymAlgorithm.rawValue
                settings.erased = true
                settings.generatedKey = nil
            }
            settings.associatedSlotMask = message.desiredAssociatedSlotMask
        }
        var provisioned = device.provisioned
        // A slot belongs to one key pair: the ones this key pair takes leave their old pair.
        for other in device.servedKeyPairs where other.id != pair.id && other.associatedSlotMask & settings.associatedSlotMask != 0 {
            var otherSettings = device.recordedSettings(of: other)
            otherSettings.associatedSlotMask &= ~settings.associatedSlotMask
            provisioned.keyPairs[other.id] = otherSettings
        }
        let waitsForReset = algorithms.version >= .v14 && device.capabilities.contains(.setKeyPairReset)
        if waitsForReset {
            for (id, changed) in provisioned.keyPairs where device.provisioned.keyPairs[id] != changed {
                provisioned.pendingReset.keyPairs[id] = changed
            }
            provisioned.keyPairs = device.provisioned.keyPairs
            provisioned.pendingReset.keyPairs[pair.id] = settings
        } else {
            provisioned.keyPairs[pair.id] = settings
        }
        provisioned.acknowledge()

        // Build + update
        record(provisioned)
        if waitsForReset {
            throw ResponderError(.resetRequired, "key pair \(pair.id) changes at the next device reset").keepingStateChanges
        }
        return SetKeyPairInfoAckResponse(version: algorithms.version).encoded(context: algorithms.wireContext)
    }

    /// The checks of DSP0274 1.3 Table "SET_KEY_PAIR_INFO request", in libspdm's order.
    private func checkKeyPairChange(_ message: SetKeyPairInfoRequest, pair: ServedKeyPair) throws {
        let capabilities = pair.configured.capabilities
        let usage = message.desiredKeyUsage, asym = message.desiredAsymAlgorithm, mask = message.desiredAssociatedSlotMask
        func invalid(_ reason: String) -> ResponderError { ResponderError.invalidRequest(reason) }
        if message.operation == .generate && !capabilities.contains(.generateKey) { throw invalid("key pair \(pair.id) cannot generate keys") }
        if message.operation == .erase && !capabilities.contains(.erasable) { throw invalid("key pair \(pair.id) is not erasable") }
        if !capabilities.contains(.certificateAssociation) && mask != 0 && mask != pair.associatedSlotMask {
            throw invalid("key pair \(pair.id)'s slot association cannot change")
        }
        if !capabilities.contains(.keyUsage) && !usage.isEmpty { throw invalid("key pair \(pair.id)'s key usage cannot change") }
        if !usage.isEmpty && !pair.configured.keyUsageCapabilities.isSuperset(of: usage) {
            throw invalid("key usage \(usage.names) beyond KeyUsageCapabilities \(pair.configured.keyUsageCapabilities.names)")
        }
        if !capabilities.contains(.asymAlgorithm) && (!asym.isEmpty || message.desiredPqcAsymAlgorithm != 0) {
            throw invalid("key pair \(pair.id)'s algorithm cannot change")
        }
        if (!asym.isEmpty && !asym.isSingleBit) || message.desiredPqcAsymAlgorithm.nonzeroBitCount > 1 {
            throw invalid("more than one desired algorithm")
        }
        if !asym.isEmpty && message.desiredPqcAsymAlgorithm != 0 { throw invalid("both a classic and a PQC algorithm") }
        if !asym.isEmpty && !pair.configured.asymAlgorithmCapabilities.contains(asym) {
            throw invalid("algorithm \(asym.names) beyond AsymAlgoCapabilities \(pair.configured.asymAlgorithmCapabilities.names)")
        }
        if message.desiredPqcAsymAlgorithm != 0 {
            // No PQC key pairs here: libspdm answers a PQC algorithm beyond the capabilities so.
            throw ResponderError.unsupportedRequest(.setKeyPairInfo)
        }
        if !capabilities.contains(.shareable) && mask.nonzeroBitCount > 1 { throw invalid("key pair \(pair.id) backs one slot at most") }
        if message.operation.rawValue > KeyPairOperation.generate.rawValue { throw invalid("operation \(message.operation.rawValue)") }
        if mask & ~device.servedSupportedSlotMask != 0 { throw invalid("slot mask 0x\(String(mask, radix: 16)) names slots this device does not have") }
        if (message.operation == .erase || message.operation == .generate) && pair.associatedSlotMask != 0 {
            throw ResponderError(.operationFailed, "key pair \(pair.id) is associated with slots 0x\(String(pair.associatedSlotMask, radix: 16))")
        }
    }
}
