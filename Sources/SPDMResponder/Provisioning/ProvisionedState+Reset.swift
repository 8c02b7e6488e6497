/// A device reset (power cycle) in the provisioning state: what was acknowledged with
/// ERROR(ResetRequired) takes effect — DSP0274 §10.23 SET_CERTIFICATE and §10.22 GET_CSR with
/// CERT_INSTALL_RESET_CAP, §10.26 SET_KEY_PAIR_INFO with SET_KEY_PAIR_RESET_CAP. The daemon's
/// control API resets a device (POST /v1/devices/{name}/reset); this is the pure part.
extension ProvisionedState {
    /// The state after a device reset:
    /// - pending erases empty their slots, then pending chains are installed (a slot with both
    ///   ends up holding the chain: the install is the later request, as the handlers keep only
    ///   the last acknowledged change of a slot);
    /// - pending key pair settings become the key pairs' settings;
    /// - pending CSR requests become `ready`: they stay, keyed by CSRTrackingTag, until the
    ///   GET_CSR that carries the tag collects the CSR.
    /// `revision` is bumped when anything changed, as for every acknowledged change.
    public func applyingReset() -> ProvisionedState {
        var next = self
        for slot in pendingReset.erasedSlots {
            next.installedChains[slot] = nil
            next.erasedSlots.insert(slot)
        }
        for (slot, chain) in pendingReset.installedChains {
            next.installedChains[slot] = chain
            next.erasedSlots.remove(slot)
        }
        next.keyPairs.merge(pendingReset.keyPairs) { _, pending in pending }
        next.pendingReset = PendingReset(csrRequests: pendingReset.csrRequests.mapValues { request in
            var ready = request
            ready.ready = true
            return ready
        })
        if next != self { next.revision = revision &+ 1 }
        return next
    }
}
