import SPDMCore
import SPDMWire

extension ResponderConnection {
    /// On a 1.3 multi-key connection a slot signs only for what its key pair's KeyUsageMask allows
    /// (DSP0274 1.3 "Multi-key"): CHALLENGE, GET_MEASUREMENTS and KEY_EXCHANGE on a slot without that
    /// use are ERROR(InvalidRequest), as in libspdm. Other connections ignore key usage.
    func requireKeyUsage(_ use: KeyUsageMask, of slot: ServedSlot, algorithms: NegotiatedAlgorithms) throws {
        guard algorithms.version >= .v13, algorithms.multiKeyConnectionResponder else { return }
        guard slot.keyUsage.contains(use) else {
            throw ResponderError.invalidRequest("slot \(slot.id)'s key usage \(slot.keyUsage.names) does not allow \(use.names)")
        }
    }
}
