import Dispatch
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMWire

/// Per-device identities for a fleet template (`count = N`, `identity = "per-device"`, the
/// default): every device gets its own key and leaf certificate for each generated slot — its name
/// in the subject (`<device> slot <id>`), a serial number of its own, the DSP0274 key usages and
/// OIDs of every responder leaf — issued by the slot's CA and kept in the state directory, so a
/// restart presents the same identities.
///
/// Making them is the expensive part of a cold start (one key generation and one signature per
/// device and slot), so it runs here first, on every core, with progress reports; the per-device
/// loading that follows (SlotLoader) then finds every leaf cached.
struct FleetIdentities {
    let context: LoadContext

    /// One `[[device.slot]]` with `generate` of the template (slots naming a key pair are left to
    /// SlotLoader).
    private struct GeneratedSlot: @unchecked Sendable {
        var id: UInt8
        var algorithm: SigningAlgorithm
        var authority: CertificateAuthority
        var commonName: String?
    }

    /// Makes (or finds cached) the leaves of `names` for the template's generated slots.
    func prepare(_ table: ConfigTable, names: [String]) throws {
        let slots = try generatedSlots(table)
        guard !slots.isEmpty, !names.isEmpty else { return }
        let store = DeviceIdentityStore(stateDirectory: context.stateDirectory)
        let template = table.device ?? "?"
        let tally = Tally(total: names.count, template: template, progress: context.progress)
        context.progress?("device identities: 0/\(names.count) for \(template)")
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            do {
                for slot in slots {
                    let leaf = try store.leaf(device: names[index], slot: slot.id, algorithm: slot.algorithm,
                                              commonName: slot.commonName ?? "\(names[index]) slot \(slot.id)", authority: slot.authority,
                                              durable: false)
                    context.caches.keep(leaf, device: names[index], slot: slot.id, algorithm: slot.algorithm)
                    if leaf.isNew { tally.made() }
                }
                tally.finished(nil)
            } catch {
                tally.finished(error)
            }
        }
        if let failure = tally.failure { throw table.error("slot", "cannot generate the devices' keys and certificates: \(failure)") }
        // What was made above is on disk from here on: one syncfs(2) instead of two fsync(2) of the
        // file and two of its directory per device (about 2.4 ms each here: most of a cold start).
        if tally.anyMade, let failure = StateDirectory.syncFileSystem(context.stateDirectory) {
            throw table.error("slot", "cannot make the devices' keys and certificates durable: \(failure)")
        }
    }

    /// How far the workers are, reported about once a second; the first failure.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private let total: Int
        private let template: String
        private let progress: (@Sendable (String) -> Void)?
        private let started = Date()
        private var done = 0
        private var lastReport = Date()
        private(set) var failure: (any Error)?
        private var madeCount = 0

        /// A leaf was made (not found stored): its files still need to reach the disk.
        func made() { lock.withLock { madeCount += 1 } }
        var anyMade: Bool { lock.withLock { madeCount > 0 } }

        init(total: Int, template: String, progress: (@Sendable (String) -> Void)?) {
            self.total = total
            self.template = template
            self.progress = progress
        }

        func finished(_ error: (any Error)?) {
            let report: String? = lock.withLock {
                if let error, failure == nil { failure = error }
                done += 1
                guard done == total || Date().timeIntervalSince(lastReport) >= 1 else { return nil }
                lastReport = Date()
                return "device identities: \(done)/\(total) for \(template) (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
            }
            if let report { progress?(report) }
        }
    }

    private func generatedSlots(_ table: ConfigTable) throws -> [GeneratedSlot] {
        var slots: [GeneratedSlot] = []
        for (position, slotTable) in try table.tableArray("slot").enumerated() {
            guard let generate = try slotTable.subtable("generate"), !slotTable.has("key_pair") else { continue }
            let name = try generate.string("algorithm") ?? "ECDSA_P384"
            guard let algorithm = SigningAlgorithm.named(name) else { continue }  // SlotLoader names the error
            guard let authority = try? context.authority(try generate.string("ca") ?? "builtin", algorithm: algorithm) else { continue }
            slots.append(GeneratedSlot(id: UInt8(try slotTable.int("id", in: 0...7) ?? position), algorithm: algorithm,
                                       authority: authority, commonName: try generate.string("common_name")))
        }
        return slots
    }
}
