import SPDMCore
import SPDMCrypto
import SPDMWire

/// SET_CERTIFICATE -> SET_CERTIFICATE_RSP (DSP0274 §10.23; 1.2+, SET_CERT_CAP): installs a chain
/// into a slot, or (1.3 Erase) empties it. Slot 0 in the clear; other slots only inside a session
/// (libspdm's rule for a device outside a trusted environment). GET_DIGESTS and GET_CERTIFICATE
/// then serve the installed chain at once — on every connection of the device, and after a restart —
/// or, with CERT_INSTALL_RESET_CAP, after the device reset (ERROR(ResetRequired) until then).
///
/// Which key signs for the slot: DSP0274 asks the responder to check the chain's format, and
/// nothing about its leaf key (the requester installs what a CA issued for the device's CSR; slot 0
/// only "in a trusted environment"). So a well-formed chain that verifies up to its own root is
/// acknowledged whatever its leaf key — DMTF's spdm_requester_emu installs its own sample chain this
/// way. The slot then belongs to the key pair whose key the leaf certifies, when the device holds
/// one (the certificate is the authority on which key it is for, so signatures stay verifiable
/// against the chain served), else to the request's KeyPairID (multi-key) or the slot's key pair.
/// A chain for a key the device does not hold is served as acknowledged, and signatures for that
/// slot do not verify against it — exactly what a real device would do.
extension ResponderConnection {
    mutating func handleSetCertificate(_ request: [UInt8], inSession: Bool) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        guard let first = request.dropFirst(2).first, first & 0x0F < 8 else {
            throw ResponderError.invalidRequest("SlotID beyond 7")
        }
        let message = try SetCertificateRequest(decoding: request, context: algorithms.wireContext)
        let slot = message.slotID
        guard device.servedSupportedSlotMask & (1 << slot) != 0 else {
            throw ResponderError.invalidRequest("slot \(slot) is not a slot of this device")
        }
        guard inSession || slot == 0 else {
            throw ResponderError.unexpectedRequest("SET_CERTIFICATE for slot \(slot) only inside a session")
        }
        let (model, requested) = try setCertificateTarget(message, algorithms: algorithms)
        let needsReset = device.capabilities.contains(.certInstallReset)

        // Process
        var provisioned = device.provisioned
        if message.erase {
            guard message.certificateModel == .none else { throw ResponderError.invalidRequest("SetCertModel with Erase") }
            guard message.certificateChain.isEmpty else { throw ResponderError.invalidRequest("CertChain with Erase") }
            if needsReset {
                provisioned.pendingReset.installedChains.removeValue(forKey: slot)
                provisioned.pendingReset.erasedSlots.insert(slot)
            } else {
                provisioned.installedChains.removeValue(forKey: slot)
                provisioned.erasedSlots.insert(slot)
            }
        } else {
            if slot == 0 && model == .genericCert { throw ResponderError.invalidRequest("slot 0 cannot hold a GenericCert chain") }
            let accepted = try ChainCheck.check(message.certificateChain, hash: hash, model: model)
            let leafKey = accepted.certificates.last?.publicKey.subjectPublicKeyInfoDER
            let pairs = device.servedKeyPairs
            let holder = pairs.first { pair in pair.privateKey.map { $0.publicKey.subjectPublicKeyInfoDER == leafKey } ?? false }
            let current = device.associatedKeyPair(ofSlot: slot, among: pairs)
            guard let pair = holder ?? requested ?? current ?? device.defaultKeyPair(for: algorithms.asym) else {
                throw ResponderError.unspecified("no key pair to associate slot \(slot) with")
            }
            let chain = InstalledChain(certificatesDER: accepted.certificatesDER, rootCertificateDER: accepted.root.der,
                                       keyPairID: pair.id, certificateModel: model.rawValue)
            if needsReset {
                var future = provisioned
                future.associate(slot: slot, with: pair, in: device)
                for (id, settings) in future.keyPairs where provisioned.keyPairs[id] != settings {
                    provisioned.pendingReset.keyPairs[id] = settings
                }
                provisioned.pendingReset.installedChains[slot] = chain
                provisioned.pendingReset.erasedSlots.remove(slot)
            } else {
                provisioned.associate(slot: slot, with: pair, in: device)
                provisioned.installedChains[slot] = chain
                provisioned.erasedSlots.remove(slot)
            }
        }
        provisioned.acknowledge()

        // Build + update: with CERT_INSTALL_RESET_CAP the acknowledgement is ERROR(ResetRequired).
        record(provisioned)
        if needsReset {
            throw ResponderError(.resetRequired, "slot \(slot) changes at the next device reset").keepingStateChanges
        }
        return SetCertificateResponse(version: algorithms.version, slotID: slot).encoded(context: algorithms.wireContext)
    }

    /// The certificate model and requested key pair (DSP0274 1.3 Param1 SetCertModel, Param2
    /// KeyPairID): named by the request on a multi-key connection, otherwise both 0 on the wire and
    /// the model is the device's (AliasCert with ALIAS_CERT_CAP, else DeviceCert).
    private func setCertificateTarget(_ message: SetCertificateRequest, algorithms: NegotiatedAlgorithms)
        throws -> (CertificateModel, ServedKeyPair?) {
        let ownModel: CertificateModel = device.capabilities.contains(.aliasCert) ? .aliasCert : .deviceCert
        guard algorithms.version >= .v13 else { return (ownModel, nil) }
        if algorithms.multiKeyConnectionResponder {
            guard message.keyPairID != 0 else { throw ResponderError.invalidRequest("KeyPairID 0 on a multi-key connection") }
            if !message.erase {
                guard message.certificateModel != .none, message.certificateModel.isDefined else {
                    throw ResponderError.invalidRequest("SetCertModel \(message.certificateModel.rawValue)")
                }
            }
            guard let pair = device.servedKeyPair(message.keyPairID) else {
                throw ResponderError.invalidRequest("no key pair \(message.keyPairID) (TotalKeyPairs \(device.totalKeyPairs))")
            }
            return (message.erase ? ownModel : message.certificateModel, pair)
        }
        guard message.keyPairID == 0, message.certificateModel == .none else {
            throw ResponderError.invalidRequest("KeyPairID and SetCertModel must be 0 without a multi-key connection")
        }
        return (ownModel, nil)
    }
}
