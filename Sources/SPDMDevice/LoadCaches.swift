import Foundation
import SPDMCrypto

/// What one config load reuses across devices: each CA loaded once (not once per device and slot),
/// and the leaves FleetIdentities made or found for the fleet's devices, handed to SlotLoader
/// instead of being read and checked a second time.
final class LoadCaches: @unchecked Sendable {
    private let lock = NSLock()
    private var authorities: [String: CertificateAuthority] = [:]
    private var leaves: [String: DeviceIdentityStore.Leaf] = [:]

    /// The CA for `key` ("builtin/<algorithm>" or a directory and algorithm), made by `load` once.
    func authority(_ key: String, _ load: () throws -> CertificateAuthority) throws -> CertificateAuthority {
        if let cached = lock.withLock({ authorities[key] }) { return cached }
        let authority = try load()
        lock.withLock { authorities[key] = authority }
        return authority
    }

    func keep(_ leaf: DeviceIdentityStore.Leaf, device: String, slot: UInt8, algorithm: SigningAlgorithm) {
        lock.withLock { leaves[device + "/" + DeviceIdentityStore.leafName(slot: slot, algorithm: algorithm)] = leaf }
    }

    /// The leaf FleetIdentities prepared for this device, slot and algorithm (taken: it is used once).
    func takeLeaf(device: String, slot: UInt8, algorithm: SigningAlgorithm) -> DeviceIdentityStore.Leaf? {
        lock.withLock { leaves.removeValue(forKey: device + "/" + DeviceIdentityStore.leafName(slot: slot, algorithm: algorithm)) }
    }
}
