import SPDMCore
import SPDMCrypto
import SPDMWire

/// Raw public keys (DSP0274 1.2+ PUB_KEY_ID_CAP): the peers know each other's public keys in advance,
/// no certificate travels. The responder's key answers for SlotID 0xFF in CHALLENGE and KEY_EXCHANGE;
/// wherever a transcript or CertChainHash would hash the certificate chain, it hashes the public key
/// as provisioned instead — the DER SubjectPublicKeyInfo, as libspdm provisions and hashes it
/// (<alg>/end_responder.key.pub.der). The requester's key works the same way for mutual
/// authentication: KEY_EXCHANGE_RSP ReqSlotIDParam 0xF, FINISH ReqSlotID 0xFF, TH with the hash of
/// its SubjectPublicKeyInfo.
extension ResponderDevice {
    /// The SlotID that names the provisioned public key.
    public static let rawPublicKeySlotID: UInt8 = 0xFF

    /// Slot 0xFF as served: no certificate, the raw public key in place of the chain.
    var rawPublicKeySlot: ServedSlot? {
        guard capabilities.contains(.pubKeyID), let key = rawPublicKeyIdentity else { return nil }
        return ServedSlot(id: Self.rawPublicKeySlotID, certificatesDER: [], rootCertificateDER: [], certificateModel: .deviceCert,
                          keyPairID: 0, keyUsage: .spdm, signingKey: key, rawPublicKeyDER: key.publicKey.subjectPublicKeyInfoDER)
    }

    /// Slot `id` for CHALLENGE / KEY_EXCHANGE / signed MEASUREMENTS on a connection that signs with
    /// `algorithm`: 0-7 a certificate slot, 0xFF the raw public key.
    func signingSlot(_ id: UInt8, for algorithm: SigningAlgorithm?) -> ServedSlot? {
        id == Self.rawPublicKeySlotID ? rawPublicKeySlot : (id < 8 ? servedSlot(id, for: algorithm) : nil)
    }
}

extension ResponderConnection {
    /// The requester's provisioned public key as the identity FINISH checks (ReqSlotID 0xFF), when
    /// the requester has PUB_KEY_ID_CAP, the key signs with the negotiated requester algorithm.
    func provisionedRequesterPublicKey(algorithms: NegotiatedAlgorithms) -> RequesterIdentity? {
        guard peer.flags.contains(.pubKeyID), let key = device.mutualAuth.requesterPublicKey,
              let algorithm = algorithms.requesterSigning, key.matches(algorithm) else { return nil }
        return RequesterIdentity(slotID: ResponderDevice.rawPublicKeySlotID, spdmChain: key.subjectPublicKeyInfoDER, leafKey: key)
    }
}
