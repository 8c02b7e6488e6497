import SPDMCrypto
import SPDMWire

/// The state changes the provisioning handlers make, each one a small step on the device's
/// `ProvisionedState` (the commit point persists it because `revision` moved).
extension ProvisionedState {
    /// Marks the state as changed: the commit point persists it before the response leaves.
    mutating func acknowledge() { revision &+= 1 }

    /// Slot `slot` now belongs to key pair `id` and to no other (a slot has one key pair).
    mutating func associate(slot: UInt8, with pair: ServedKeyPair, in device: ResponderDevice) {
        for other in device.servedKeyPairs where other.id != pair.id && other.associatedSlotMask & (1 << slot) != 0 {
            var settings = keyPairs[other.id] ?? other.settings
            settings.associatedSlotMask &= ~(1 << slot)
            keyPairs[other.id] = settings
        }
        var settings = keyPairs[pair.id] ?? pair.settings
        settings.associatedSlotMask |= 1 << slot
        keyPairs[pair.id] = settings
    }
}

extension ResponderDevice {
    /// The settings of a served key pair as `ProvisionedState` holds them (with any generated key).
    func recordedSettings(of pair: ServedKeyPair) -> KeyPairSettings {
        provisioned.keyPairs[pair.id] ?? pair.settings
    }

    /// The key pair that signs for the negotiated algorithm when a request names none (before 1.3,
    /// or without a multi-key connection): the one of the lowest served slot whose key fits, else
    /// the lowest key pair whose key fits.
    func defaultKeyPair(for asym: SignatureAlgorithm?) -> ServedKeyPair? {
        let pairs = servedKeyPairs
        let fits: (ServedKeyPair) -> Bool = { pair in asym.map { pair.privateKey?.matches($0) ?? false } ?? (pair.privateKey != nil) }
        for slot in servedSlots {
            if let pair = pairs.first(where: { $0.id == slot.keyPairID }), fits(pair) { return pair }
        }
        return pairs.first(where: fits)
    }

    /// The leaf certificate of the first served slot of key pair `id` (a CSR repeats its extensions).
    func currentLeaf(ofKeyPair id: UInt8) -> Certificate? {
        guard let slot = servedSlots.first(where: { $0.keyPairID == id }) else { return nil }
        return (try? Certificate.parseConcatenatedDER(slot.certificatesDER))?.last
    }
}
