import Foundation
import SPDMCore
import SPDMCrypto
import SPDMResponder

/// One device's persistent state, under <state>/devices/<name>/ — the one place that reads and
/// writes it, for the control API and for what SPDM requests acknowledged alike:
///
///     measurements.json        {"measurements": {"<index>": "<hex>"}}       control API
///     slot<N>.override.pem     the slot's chain (root first) and key, 0600  control API
///     provisioned.json         ProvisionedStateFile                          SET_CERTIFICATE, GET_CSR, SET_KEY_PAIR_INFO
///
/// Every write replaces a whole file through `StateDirectory.writeAtomically` (temporary file,
/// fsync, rename, fsync of the directory), so after a crash or a kill -9 each file is the old or
/// the new one, never torn. A write that a crash interrupted leaves only its temporary file, which
/// `restore` removes. A file that does not parse (damaged on disk, edited by hand) is reported by
/// name, set aside as `<file>.corrupt-<time>` for inspection and not applied — never silently dropped
/// or overwritten. Generated identities (slot<N>.key, slot<N>.cert.der) belong to the config and
/// are not touched here.
public struct DeviceStateStore: Sendable {
    public let device: String
    public let directory: String

    public init(stateDirectory: String, device: String) {
        self.device = device
        directory = stateDirectory + "/devices/" + device
    }

    public var measurementsPath: String { directory + "/measurements.json" }
    public var provisionedPath: String { directory + "/provisioned.json" }
    public func slotPath(_ id: UInt8) -> String { directory + "/slot\(id).override.pem" }

    /// The files this store reads, whether they exist or not.
    public var stateFiles: [String] { [measurementsPath, provisionedPath] + (0..<8).map { slotPath($0) } }

    // MARK: Reading

    private struct MeasurementsFile: Codable {
        var measurements: [String: String]
    }

    /// The measurement values set through the control API, by index (none without a file).
    public func storedMeasurements() throws(StateFileError) -> [UInt8: [UInt8]] {
        guard let bytes = StateDirectory.read(measurementsPath) else { return [:] }
        let file: MeasurementsFile
        do {
            file = try JSONDecoder().decode(MeasurementsFile.self, from: Data(bytes))
        } catch {
            throw StateFileError(path: measurementsPath, reason: "not the JSON expected: \(error)")
        }
        var result: [UInt8: [UInt8]] = [:]
        for (key, hex) in file.measurements {
            guard let index = UInt8(key), let value = ByteString.parse("hex:" + hex) else {
                throw StateFileError(path: measurementsPath, reason: "bad entry '\(key)'")
            }
            result[index] = value
        }
        return result
    }

    /// The slot ids with a chain set through the control API.
    public func storedSlotIDs() -> [UInt8] {
        (0..<8).filter { FileManager.default.fileExists(atPath: slotPath($0)) }
    }

    /// The slot set through the control API for `id`, nil when none is stored.
    public func storedSlot(_ id: UInt8, model: UInt8) throws(StateFileError) -> CertificateSlot? {
        guard let bytes = StateDirectory.read(slotPath(id)) else { return nil }
        do {
            return try SlotMaterial.slot(id: id, chain: bytes, keyPEM: String(decoding: bytes, as: UTF8.self), root: nil, model: model)
        } catch {
            throw StateFileError(path: slotPath(id), reason: "\(error.part): \(error.message)")
        }
    }

    /// What SPDM requests acknowledged; empty (revision 0) without a file.
    public func storedProvisioned() throws(StateFileError) -> ProvisionedState {
        guard let bytes = StateDirectory.read(provisionedPath) else { return ProvisionedState() }
        do {
            return try ProvisionedStateFile.decode(bytes)
        } catch {
            throw StateFileError(path: provisionedPath, reason: error.reason)
        }
    }

    // MARK: Writing (each atomic)

    /// Sets one measurement beside those already stored. A stored file that does not parse fails
    /// the write instead of being replaced.
    public func saveMeasurement(index: UInt8, value: [UInt8]) throws {
        var stored = try storedMeasurements()
        stored[index] = value
        let file = MeasurementsFile(measurements: Dictionary(uniqueKeysWithValues: stored.map { (String($0.key), $0.value.spdmHex) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try StateDirectory.writeAtomically(Array(try encoder.encode(file)) + [0x0A], to: measurementsPath)
    }

    /// Stores slot `id`: its chain (root first) and key as PEM (`SlotMaterial.pem`), mode 0600.
    public func saveSlot(id: UInt8, pem: String) throws {
        try StateDirectory.writeAtomically(Array(pem.utf8), to: slotPath(id), secret: true)
    }

    /// Replaces provisioned.json with `state`.
    public func saveProvisioned(_ state: ProvisionedState) throws {
        try StateDirectory.writeAtomically(try ProvisionedStateFile.encode(state, device: device), to: provisionedPath)
    }

    /// Factory reset: removes every state file, so the device is its config again. Returns the
    /// files removed. Files set aside as corrupt stay for inspection.
    @discardableResult
    public func forget() throws -> [String] {
        var removed: [String] = []
        for path in stateFiles where FileManager.default.fileExists(atPath: path) {
            guard unlink(path) == 0 else { throw StateError(path: path, operation: "unlink", errno: errno) }
            removed.append(path)
        }
        if !removed.isEmpty { StateDirectory.syncDirectory(directory) }
        return removed
    }

    // MARK: Startup

    /// The temporary files of writes a crash interrupted (`<file>.tmp-<pid>`): never read, removed.
    public func removeInterruptedWrites() -> [String] {
        removeInterruptedWrites(among: (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    }

    private func removeInterruptedWrites(among names: [String]) -> [String] {
        names.filter { $0.contains(".tmp-") }.sorted().compactMap { name in
            let path = directory + "/" + name
            return unlink(path) == 0 ? path : nil
        }
    }

    /// Renames an unreadable file to `<file>.corrupt-<unix time>`; the new path, nil if that failed.
    public func setAside(_ path: String, now: Date = Date()) -> String? {
        let target = path + ".corrupt-\(Int(now.timeIntervalSince1970))"
        guard rename(path, target) == 0 else { return nil }
        StateDirectory.syncDirectory(directory)
        return target
    }

    /// What `restore` did, for the daemon to log.
    public struct RestoreReport: Sendable, Equatable {
        /// Files that did not parse: each message names the file, why, and where it was set aside.
        public var unreadable: [String] = []
        /// Stored values the config no longer allows, left on disk and not applied.
        public var skipped: [String] = []
        /// Temporary files of interrupted writes, removed.
        public var removedLeftovers: [String] = []
        /// What was applied, one line per file.
        public var applied: [String] = []
    }

    /// Applies the stored state to `device` as the config built it: measurements, slots, then the
    /// provisioned state. When provisioned.json is unreadable, `lastGood` (the state a running
    /// device held before a reload) is kept and written back; without one the device starts from
    /// its config.
    public func restore(onto device: inout ResponderDevice, lastGood: ProvisionedState? = nil) -> RestoreReport {
        var report = RestoreReport()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        report.removedLeftovers = removeInterruptedWrites(among: names)
        // Most devices of a fleet never stored anything: one directory listing tells, instead of a
        // probe per state file (10,000 devices start noticeably faster).
        let stateNames = Set(stateFiles.map { String($0.dropFirst(directory.count + 1)) })
        guard names.contains(where: stateNames.contains) else {
            device.provisioned = ProvisionedState()
            return report
        }
        restoreMeasurements(onto: &device, &report)
        restoreSlots(onto: &device, &report)
        do {
            let provisioned = try storedProvisioned()
            device.provisioned = provisioned
            if !provisioned.isEmpty { report.applied.append("\(provisionedPath): revision \(provisioned.revision)") }
        } catch {
            var message = unreadable(error)
            if let lastGood {
                device.provisioned = lastGood
                do {
                    try saveProvisioned(lastGood)
                    message += "; the device keeps the state it held (revision \(lastGood.revision)), written back"
                } catch {
                    message += "; the device keeps the state it held (revision \(lastGood.revision)) but it could not be written back: \(error)"
                }
            } else {
                message += "; the device serves its config's chains and key pairs"
            }
            report.unreadable.append(message)
        }
        return report
    }

    private func restoreMeasurements(onto device: inout ResponderDevice, _ report: inout RestoreReport) {
        do {
            for (index, value) in try storedMeasurements().sorted(by: { $0.key < $1.key }) {
                if device.measurements.entry(index) == nil {
                    report.skipped.append("\(measurementsPath): measurement \(index) is not in the config any more; not applied")
                } else {
                    _ = device.measurements.set(index: index, value: value)
                    report.applied.append("\(measurementsPath): measurement \(index)")
                }
            }
        } catch {
            report.unreadable.append(unreadable(error) + "; the device serves its config's measurements")
        }
    }

    private func restoreSlots(onto device: inout ResponderDevice, _ report: inout RestoreReport) {
        for id in storedSlotIDs() {
            do {
                guard let slot = try storedSlot(id, model: device.slot(id)?.certificateModel ?? 1) else { continue }
                guard device.hasAlgorithm(for: slot.privateKey) else {
                    report.skipped.append("\(slotPath(id)): the key fits none of the device's algorithms; not applied")
                    continue
                }
                device.slots.removeAll { $0.id == id }
                device.slots.append(slot)
                device.slots.sort { $0.id < $1.id }
                device.supportedSlotMask |= 1 << id
                report.applied.append("\(slotPath(id)): slot \(id)")
            } catch {
                report.unreadable.append(unreadable(error) + "; slot \(id) serves its config's chain")
            }
        }
    }

    /// "<file>: <why>; set aside as <file>.corrupt-<time>".
    private func unreadable(_ error: StateFileError) -> String {
        if let moved = setAside(error.path) { return "\(error); set aside as \(moved)" }
        return "\(error); it could not be set aside and stays in place"
    }
}

/// A state file that exists but does not parse.
public struct StateFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
