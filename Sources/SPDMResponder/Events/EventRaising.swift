import SPDMWire

/// Raising events (DSP0274 1.3 §10.27) from the changes a connection takes in: the daemon hands every
/// connection of a device the new measurement table and provisioned state (`updateMeasurements`,
/// `updateProvisioned`) and the slots the control API replaced (`certificatesChanged`); a connection's own
/// SET_CERTIFICATE raises through `record`. Each change queues the matching DMTF event in every
/// established session of the connection that subscribed to it. No I/O: the events leave when the
/// requester next asks for an encapsulated request.
extension ResponderConnection {
    /// Queues MeasurementChanged for the indices whose value or type differs between the two tables.
    mutating func raiseMeasurementChanges(from old: MeasurementTable, to new: MeasurementTable) {
        guard device.capabilities.contains(.event) else { return }
        let before = Dictionary(old.entries.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.entries.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = Set(before.keys).union(after.keys).filter { index in
            guard let a = before[index], let b = after[index] else { return true }
            return a.value != b.value || a.type != b.type || a.representation != b.representation
        }.sorted()
        guard !changed.isEmpty else { return }
        raise(.measurementChanged) { .measurementChanged(instanceID: $0, indices: changed) }
    }

    /// Queues CertificateChanged for each slot.
    public mutating func certificatesChanged(slots: [UInt8]) {
        guard device.capabilities.contains(.event) else { return }
        for slot in slots.sorted() {
            raise(.certificateChanged) { .certificateChanged(instanceID: $0, slot: slot) }
        }
    }

    /// Queues CertificateChanged for the slots whose served chain differs between the two states.
    mutating func raiseCertificateChanges(from old: ProvisionedState, to new: ProvisionedState) {
        guard device.capabilities.contains(.event), old.revision != new.revision else { return }
        var before = device
        before.provisioned = old
        var after = device
        after.provisioned = new
        let oldChains = Dictionary(before.servedSlots.map { ($0.id, $0.certificatesDER) }, uniquingKeysWith: { first, _ in first })
        let newChains = Dictionary(after.servedSlots.map { ($0.id, $0.certificatesDER) }, uniquingKeysWith: { first, _ in first })
        let changed = Set(oldChains.keys).union(newChains.keys).filter { oldChains[$0] != newChains[$0] }
        certificatesChanged(slots: Array(changed))
    }

    private mutating func raise(_ type: DMTFEventType, _ make: (UInt32) -> EventRecord) {
        for id in sessions.keys.sorted() where sessions[id]?.established == true {
            sessions[id]?.events.raise(type, make)
        }
    }

    /// The events waiting for session `sessionID`, for tests and the daemon's logs.
    public func pendingEventCount(sessionID: UInt32) -> Int {
        sessions[sessionID]?.events.pending.count ?? 0
    }
}
