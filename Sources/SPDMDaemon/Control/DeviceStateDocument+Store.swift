import SPDMControlModel
import SPDMCore
import SPDMCrypto
import SPDMDevice
import SPDMResponder

extension DeviceStateDocument {
    /// What `store` holds on disk now (read file by file; a file that does not parse is a problem
    /// naming it, the others are still shown).
    init(_ store: DeviceStateStore) {
        var problems: [String] = []
        var measurements: [StoredMeasurement] = []
        do {
            measurements = try store.storedMeasurements().sorted { $0.key < $1.key }
                .map { StoredMeasurement(index: $0.key, value: $0.value.spdmHex) }
        } catch {
            problems.append(error.description)
        }
        var slots: [StoredSlot] = []
        for id in store.storedSlotIDs() {
            do {
                guard let slot = try store.storedSlot(id, model: 1) else { continue }
                slots.append(StoredSlot(id: id, certificates: Self.names(slot.certificatesDER)))
            } catch {
                problems.append(error.description)
            }
        }
        var provisioned = ProvisionedState()
        do {
            provisioned = try store.storedProvisioned()
        } catch {
            problems.append(error.description)
        }
        self.init(device: store.device, directory: store.directory, measurements: measurements, slots: slots,
                  provisioned: Provisioned(provisioned), problems: problems)
    }

    static func names(_ der: [UInt8]) -> [DeviceDetail.CertificateName] {
        ((try? Certificate.parseConcatenatedDER(der)) ?? []).map { DeviceDetail.CertificateName(subject: $0.subject, issuer: $0.issuer) }
    }
}

extension DeviceStateDocument.Provisioned {
    init(_ state: ProvisionedState) {
        let pending = state.pendingReset
        self.init(revision: state.revision, installedChains: Self.chains(state.installedChains), erasedSlots: state.erasedSlots.sorted(),
                  keyPairs: Self.keyPairs(state.keyPairs),
                  pendingReset: DeviceStateDocument.Pending(
                    installedChains: Self.chains(pending.installedChains), erasedSlots: pending.erasedSlots.sorted(),
                    keyPairs: Self.keyPairs(pending.keyPairs),
                    csrRequests: pending.csrRequests.sorted { $0.key < $1.key }.map { tag, request in
                        DeviceStateDocument.CSRRequest(tag: tag, keyPairId: request.keyPairID, ready: request.ready)
                    }))
    }

    static func chains(_ chains: [UInt8: InstalledChain]) -> [DeviceStateDocument.Chain] {
        chains.sorted { $0.key < $1.key }.map { slot, chain in
            DeviceStateDocument.Chain(slot: slot, keyPairId: chain.keyPairID,
                                      certificateModel: [1: "device", 2: "alias", 3: "generic"][chain.certificateModel] ?? "\(chain.certificateModel)",
                                      bytes: chain.certificatesDER.count, certificates: DeviceStateDocument.names(chain.certificatesDER))
        }
    }

    static func keyPairs(_ pairs: [UInt8: KeyPairSettings]) -> [DeviceStateDocument.KeyPair] {
        pairs.sorted { $0.key < $1.key }.map { id, settings in
            DeviceStateDocument.KeyPair(id: id, keyUsage: settings.keyUsage, asymAlgorithm: settings.asymAlgorithm,
                                        pqcAsymAlgorithm: settings.pqcAsymAlgorithm, associatedSlotMask: settings.associatedSlotMask,
                                        erased: settings.erased)
        }
    }
}
