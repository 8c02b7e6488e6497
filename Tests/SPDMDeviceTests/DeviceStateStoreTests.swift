import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMTestFixtures
import SPDMWire
import Testing

/// The device state store: atomic whole-file writes, the provisioned.json document, unreadable
/// files reported and set aside, leftovers of interrupted writes removed.
@Suite("Device state store")
struct DeviceStateStoreTests {
    let directory = TemporaryDirectory()
    var store: DeviceStateStore { DeviceStateStore(stateDirectory: directory.path + "/state", device: "gpu0") }

    func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []).sorted() }

    /// A device with measurement 1 and a slot 0, as the config would build it.
    func configDevice() -> ResponderDevice {
        ResponderDevice(name: "gpu0", capabilities: [.cert], hashPreference: [.sha256], asymPreference: [.ecdsaP256],
                        slots: [TestChains.p256.slot(0)],
                        measurements: MeasurementTable(entries: [MeasurementTable.Entry(index: 1, type: .mutableFirmware, value: [1], representation: .raw)]))
    }

    @Test("a ProvisionedState with every field set survives provisioned.json unchanged, revision included")
    func roundTrip() throws {
        let state = ProvisionedSamples.everyField
        try store.saveProvisioned(state)
        #expect(try store.storedProvisioned() == state)
        #expect(try ProvisionedStateFile.decode(try ProvisionedStateFile.encode(state, device: "gpu0")) == state)
        // The document is the versioned, readable format: decimal ids as keys, base64 DER.
        let text = try String(contentsOfFile: store.provisionedPath, encoding: .utf8)
        #expect(text.contains("\"format\" : \"spdm-fleetd provisioned state\"") && text.contains("\"version\" : 1"), "\(text)")
        #expect(text.contains("\"7\" : {") && text.contains("\"certificates\" : \"MII"), "\(text)")
        #expect(try store.storedProvisioned().revision == 41)
        // No file: the empty state (the config).
        #expect(try DeviceStateStore(stateDirectory: directory.path + "/other", device: "x").storedProvisioned() == ProvisionedState())
    }

    @Test("a write replaces the whole file and leaves no temporary file; a failed write leaves the old file and no temporary")
    func atomicWrite() throws {
        try store.saveProvisioned(ProvisionedState(erasedSlots: [1], revision: 1))
        try store.saveProvisioned(ProvisionedState(erasedSlots: [2], revision: 2))
        #expect(files() == ["provisioned.json"])
        #expect(try store.storedProvisioned().erasedSlots == [2])
        // A directory in the way of the rename: the write fails, nothing else changes.
        let blocked = DeviceStateStore(stateDirectory: directory.path + "/blocked", device: "gpu0")
        try FileManager.default.createDirectory(atPath: blocked.provisionedPath + "/in-the-way", withIntermediateDirectories: true)
        #expect(throws: StateError.self) { try blocked.saveProvisioned(ProvisionedState(erasedSlots: [3], revision: 3)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.directory) == ["provisioned.json"])
    }

    @Test("restore: the temporary file of a write a kill -9 interrupted is removed and never read; the last complete file is served")
    func interruptedWrite() throws {
        try store.saveProvisioned(ProvisionedState(erasedSlots: [6], revision: 5))
        let half = Array(try ProvisionedStateFile.encode(ProvisionedState(erasedSlots: [7], revision: 6), device: "gpu0").prefix(40))
        FileManager.default.createFile(atPath: store.provisionedPath + ".tmp-4242", contents: Data(half))
        var device = configDevice()
        let report = store.restore(onto: &device)
        #expect(report.removedLeftovers == [store.provisionedPath + ".tmp-4242"])
        #expect(report.unreadable.isEmpty)
        #expect(device.provisioned.erasedSlots == [6] && device.provisioned.revision == 5)
        #expect(files() == ["provisioned.json"])
    }

    @Test("restore: an unreadable provisioned.json is named, set aside (not dropped, not overwritten later) and the config served",
          arguments: ["{\"format\": \"spdm-fleetd provisioned state\", \"version\": 1, \"dev", "not json at all",
                      "{\"format\": \"spdm-fleetd provisioned state\", \"version\": 2}",
                      "{\"format\": \"something else\", \"version\": 1}"])
    func corruptProvisioned(_ content: String) throws {
        try StateDirectory.ensureDirectory(store.directory)
        FileManager.default.createFile(atPath: store.provisionedPath, contents: Data(content.utf8))
        #expect(throws: StateFileError.self) { try store.storedProvisioned() }
        var device = configDevice()
        let report = store.restore(onto: &device)
        let message = try #require(report.unreadable.first)
        #expect(message.hasPrefix(store.provisionedPath + ": ") && message.contains("set aside as " + store.provisionedPath + ".corrupt-"),
                "\(message)")
        #expect(message.contains("serves its config"), "\(message)")
        #expect(device.provisioned == ProvisionedState())
        let aside = try #require(files().first { $0.hasPrefix("provisioned.json.corrupt-") })
        #expect(try String(contentsOfFile: store.directory + "/" + aside, encoding: .utf8) == content)
        #expect(!files().contains("provisioned.json"))
    }

    @Test("the reasons name what is wrong: version, format, a slot id out of range, bad base64")
    func reasons() throws {
        func reason(_ text: String) -> String? {
            do {
                _ = try ProvisionedStateFile.decode(Array(text.utf8))
                return nil
            } catch {
                return error.reason
            }
        }
        let head = "{\"format\": \"spdm-fleetd provisioned state\", \"version\": 1, \"device\": \"gpu0\", \"revision\": 1, "
        let empty = "\"erased_slots\": [], \"key_pairs\": {}, \"pending_reset\": {\"installed_chains\": {}, \"erased_slots\": [], "
            + "\"key_pairs\": {}, \"csr_requests\": {}}}"
        #expect(reason(head + "\"installed_chains\": {}, " + empty) == nil)
        #expect(reason("{\"format\": \"spdm-fleetd provisioned state\", \"version\": 2}")?.contains("version 2 is not the version 1") == true)
        #expect(reason("{\"format\": \"x\", \"version\": 1}")?.contains("format is 'x'") == true)
        let badSlot = head + "\"installed_chains\": {\"8\": {\"certificates\": \"AA==\", \"root\": \"AA==\", \"key_pair_id\": 0, "
            + "\"certificate_model\": 1}}, " + empty
        #expect(reason(badSlot)?.contains("installed_chains: '8' is not a slot id") == true, "\(reason(badSlot) ?? "")")
        let badBase64 = head + "\"installed_chains\": {\"1\": {\"certificates\": \"%%%\", \"root\": \"AA==\", \"key_pair_id\": 0, "
            + "\"certificate_model\": 1}}, " + empty
        #expect(reason(badBase64)?.contains("installed_chains.1: certificates and root must be base64 DER") == true)
        #expect(reason(head + "\"installed_chains\": {}}")?.contains("does not decode") == true)
    }

    @Test("restore after a reload: an unreadable provisioned.json keeps the state the device held, written back")
    func lastGood() throws {
        try StateDirectory.ensureDirectory(store.directory)
        FileManager.default.createFile(atPath: store.provisionedPath, contents: Data("{".utf8))
        var device = configDevice()
        let held = ProvisionedSamples.everyField
        let report = store.restore(onto: &device, lastGood: held)
        #expect(report.unreadable.first?.contains("keeps the state it held (revision 41), written back") == true, "\(report.unreadable)")
        #expect(device.provisioned == held)
        #expect(try store.storedProvisioned() == held)
    }

    @Test("measurements.json: set values restored; an unreadable file is set aside at restore and refuses a write rather than being replaced")
    func measurements() throws {
        try store.saveMeasurement(index: 1, value: [9, 9])
        try store.saveMeasurement(index: 4, value: [4])
        var device = configDevice()
        let report = store.restore(onto: &device)
        #expect(device.measurements.entry(1)?.value == [9, 9])
        #expect(report.skipped == ["\(store.measurementsPath): measurement 4 is not in the config any more; not applied"])

        FileManager.default.createFile(atPath: store.measurementsPath, contents: Data("{\"measurements\": {\"x\": \"00\"}}".utf8))
        #expect(throws: StateFileError.self) { try store.saveMeasurement(index: 1, value: [1]) }
        var again = configDevice()
        let second = store.restore(onto: &again)
        #expect(second.unreadable.first?.hasPrefix(store.measurementsPath + ": bad entry 'x'; set aside as ") == true, "\(second.unreadable)")
        #expect(again.measurements.entry(1)?.value == [1])
        try store.saveMeasurement(index: 1, value: [2])
        #expect(try store.storedMeasurements() == [1: [2]])
    }

    @Test("slot overrides: stored as chain + key PEM (0600), restored through SlotMaterial; a damaged one is set aside")
    func slots() throws {
        let chain = TestChains.p256
        let pem = try SlotMaterial.pem(chainDER: chain.certificatesDER, keyPEM: try chain.leafKey.pkcs8PEM)
        try store.saveSlot(id: 2, pem: pem)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.slotPath(2))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        var device = configDevice()
        let report = store.restore(onto: &device)
        #expect(report.unreadable.isEmpty && report.applied.contains("\(store.slotPath(2)): slot 2"))
        #expect(device.slot(2)?.certificatesDER == chain.certificatesDER && device.supportedSlotMask & 0x04 != 0)

        FileManager.default.createFile(atPath: store.slotPath(3), contents: Data(pem.prefix(pem.count / 2).utf8))
        var again = configDevice()
        let second = store.restore(onto: &again)
        #expect(second.unreadable.first?.hasPrefix(store.slotPath(3) + ": ") == true, "\(second.unreadable)")
        #expect(again.slot(3) == nil && again.slot(2) != nil)
    }

    @Test("forget removes every state file (factory reset) and keeps files set aside for inspection")
    func forget() throws {
        try store.saveMeasurement(index: 1, value: [1])
        try store.saveProvisioned(ProvisionedSamples.everyField)
        FileManager.default.createFile(atPath: store.directory + "/provisioned.json.corrupt-1", contents: Data("x".utf8))
        FileManager.default.createFile(atPath: store.directory + "/slot0.key", contents: Data("generated identity".utf8))
        let removed = try store.forget()
        #expect(removed == [store.measurementsPath, store.provisionedPath])
        #expect(files() == ["provisioned.json.corrupt-1", "slot0.key"])
        #expect(try store.storedProvisioned() == ProvisionedState())
    }
}

/// Slot material parsed in one place for the config, the control API and the store.
@Suite("Slot material")
struct SlotMaterialTests {
    let chain = TestChains.p256

    var chainPEM: [UInt8] { Array(([chain.root, chain.intermediate, chain.leaf].map(\.pem).joined()).utf8) }

    @Test("root-first or leaf-first, PEM or DER: the same slot, root first")
    func orders() throws {
        let key = try chain.leafKey.pkcs8PEM
        let leafFirst = Array(([chain.leaf, chain.intermediate, chain.root].map(\.pem).joined()).utf8)
        for bytes in [chainPEM, leafFirst, chain.certificatesDER] {
            let slot = try SlotMaterial.slot(id: 3, chain: bytes, keyPEM: key, root: nil, model: 2)
            #expect(slot.certificatesDER == chain.certificatesDER && slot.rootCertificateDER == chain.root.der)
            #expect(slot.id == 3 && slot.certificateModel == 2)
        }
    }

    @Test("refusals say which part and why")
    func refusals() throws {
        let key = try chain.leafKey.pkcs8PEM
        func problem(_ body: () throws(SlotMaterial.Problem) -> CertificateSlot) -> SlotMaterial.Problem? {
            do {
                _ = try body()
                return nil
            } catch {
                return error
            }
        }
        let wrongKey = problem { () throws(SlotMaterial.Problem) in
            try SlotMaterial.slot(id: 0, chain: chainPEM, keyPEM: try TestChains.p384.leafKey.pkcs8PEMForTests, root: nil, model: 1)
        }
        #expect(wrongKey?.part == .key && wrongKey?.kind == .keyMismatch && wrongKey?.message.contains("does not belong to the leaf") == true)
        let noRoot = problem { () throws(SlotMaterial.Problem) in
            try SlotMaterial.slot(id: 0, chain: Array(([chain.intermediate, chain.leaf].map(\.pem).joined()).utf8), keyPEM: key, root: nil, model: 1)
        }
        #expect(noRoot?.kind == .rootMissing && noRoot?.part == .root)
        let withRoot = try SlotMaterial.slot(id: 0, chain: Array(([chain.intermediate, chain.leaf].map(\.pem).joined()).utf8), keyPEM: key,
                                             root: chain.root.der, model: 1)
        #expect(withRoot.rootCertificateDER == chain.root.der)
        let otherRoot = problem { () throws(SlotMaterial.Problem) in
            try SlotMaterial.slot(id: 0, chain: chainPEM, keyPEM: key, root: TestChains.p384.root.der, model: 1)
        }
        #expect(otherRoot?.kind == .doesNotVerify && otherRoot?.part == .chain)
        let garbage = problem { () throws(SlotMaterial.Problem) in try SlotMaterial.slot(id: 0, chain: [0x30, 0x03, 1], keyPEM: key, root: nil, model: 1) }
        #expect(garbage?.kind == .unreadable && garbage?.part == .chain)
        let noKey = problem { () throws(SlotMaterial.Problem) in try SlotMaterial.slot(id: 0, chain: chainPEM, keyPEM: "nothing", root: nil, model: 1) }
        #expect(noKey?.part == .key && noKey?.message == "holds no PEM private key")
    }
}

extension SlotMaterialTests {
    @Test("a leaf whose public key OpenSSL cannot use is refused, not a trap (FuzzStateFile found it)")
    func unusableLeafKey() throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/FuzzStateFile/slot-leaf-key-unusable")
        let input = [UInt8](try Data(contentsOf: seed)).dropFirst()
        let split = try #require(input.firstIndex(of: 0))
        #expect {
            try SlotMaterial.slot(id: 0, chain: Array(input[..<split]), keyPEM: String(decoding: input[(split + 1)...], as: UTF8.self),
                                  root: nil, model: 1)
        } throws: { error in
            (error as? SlotMaterial.Problem)?.message.contains("public key is not usable") == true
        }
    }
}

extension PrivateKey {
    /// `pkcs8PEM`, for test expressions that may only throw a `SlotMaterial.Problem`.
    var pkcs8PEMForTests: String { (try? pkcs8PEM) ?? "" }
}

@Suite("Provisioned state changes, as logged")
struct ProvisionedStateChangesTests {
    @Test("one line per difference, pending ones prefixed; none for an equal state")
    func lines() {
        let state = ProvisionedSamples.everyField
        let lines = state.changes(from: ProvisionedState())
        let bytes = TestChains.p256.certificatesDER.count
        #expect(lines.contains("slot 1: chain installed (key pair 1, model 1, \(bytes) bytes)"))
        #expect(lines.contains("slot 3: erased") && lines.contains("slot 5: erased"))
        #expect(lines.contains("key pair 9: usage 0x0000, asym 0x00000000, pqc 0x00000000, slots 0x00, erased"))
        #expect(lines.contains("pending reset: slot 2: chain installed (key pair 1, model 3, \(bytes) bytes)"))
        #expect(lines.contains("pending reset: slot 4: erased"))
        #expect(lines.contains("CSR tag 1: waiting for a device reset (key pair 1)") && lines.contains("CSR tag 7: ready (key pair 2)"))
        #expect(lines.count == 12, "\(lines)")
        #expect(state.changes(from: state).isEmpty)
        #expect(ProvisionedState().changes(from: state).contains("pending reset: slot 4: erase no longer waiting"))
    }
}
