import Foundation
import SPDMCrypto
import SPDMResponder
import SPDMWire

/// Raw public keys (PUB_KEY_ID_CAP, SlotID 0xFF): a device with a key and no certificate, and the
/// requester's public key it knows in advance for mutual authentication.
///
///     capabilities = ["CHAL", "KEY_EX", "PUB_KEY_ID", ...]      # no CERT
///     requester_public_key = "keys/requester.pub.der"           # DER SubjectPublicKeyInfo or PEM public key, or
///     # requester_public_key = { ca = "builtin", algorithm = "RSAPSS_3072" }   (<ca>/<alg>/end_requester.key.pub.der)
///
///     [device.public_key]
///     ca_key = { ca = "builtin", algorithm = "ECDSA_P384" }     # the CA directory's end_responder.key, whose
///                                                               # public half is end_responder.key.pub.der there;
///                                                               # or key = "keys/device.pem", or generate = { algorithm = "..." }
///
/// DMTF's spdm_requester_emu (--slot_id 0xFF --req_slot_id 0xFF) reads both public keys from the
/// builtin CA directory (<state>/ca/<alg>/end_responder.key.pub.der and end_requester.key.pub.der).
struct PublicKeyLoader {
    let context: LoadContext

    /// The device's own raw public key identity (`[device.public_key]`), nil without one.
    func loadDeviceKey(_ device: ConfigTable, deviceName: String) throws -> PrivateKey? {
        guard let table = try device.subtable("public_key") else { return nil }
        try table.allowOnly(["key", "generate", "ca_key"])
        let (key, _) = try KeyPairLoader(context: context).loadKey(table, id: ResponderDevice.rawPublicKeySlotID, deviceName: deviceName)
        guard let key else { throw table.error("key", "a public key identity needs a key") }
        return key
    }

    /// `requester_public_key`: a file (DER SubjectPublicKeyInfo or PEM), or a CA directory's requester key.
    func loadRequesterKey(_ device: ConfigTable) throws -> PublicKey? {
        guard device.has("requester_public_key") else { return nil }
        if let source = try? device.subtable("requester_public_key") {
            try source.allowOnly(["ca", "algorithm"])
            let loader = KeyPairLoader(context: context)
            let algorithm = try loader.signatureAlgorithm(source, "algorithm", try source.string("algorithm") ?? "ECDSA_P384")
            let setting = try source.string("ca") ?? "builtin"
            let authority: CertificateAuthority
            do {
                authority = setting == "builtin"
                    ? try CertificateAuthority.builtin(stateDirectory: context.stateDirectory, algorithm: algorithm)
                    : try CertificateAuthority.load(directory: resolve(setting, against: context.baseDirectory), algorithm: algorithm)
            } catch {
                throw source.error("ca", "\(error)")
            }
            return try read(authority.directory + "/" + CertificateAuthority.requesterPublicKeyFile, device)
        }
        let path = resolve(try device.requiredString("requester_public_key"), against: context.baseDirectory)
        return try read(path, device)
    }

    private func read(_ path: String, _ table: ConfigTable) throws -> PublicKey {
        guard let bytes = StateDirectory.read(path) else { throw table.error("requester_public_key", "cannot read \(path)") }
        if let key = try? PublicKey(subjectPublicKeyInfoDER: bytes) { return key }
        if let key = try? PublicKey(pem: String(decoding: bytes, as: UTF8.self)) { return key }
        throw table.error("requester_public_key", "\(path) is neither a DER SubjectPublicKeyInfo nor a PEM public key")
    }

    /// PUB_KEY_ID and `[device.public_key]` come together, and exclude CERT (DSP0274 1.2+: a responder
    /// has one or the other).
    static func validate(capabilities: CapabilityFlags, hasKey: Bool, _ table: ConfigTable) throws {
        if capabilities.contains(.pubKeyID) && !hasKey {
            throw table.error("capabilities", "PUB_KEY_ID needs a [device.public_key]")
        }
        if hasKey && !capabilities.contains(.pubKeyID) {
            throw table.error("public_key", "[device.public_key] needs the PUB_KEY_ID capability")
        }
        if capabilities.isSuperset(of: [.pubKeyID, .cert]) {
            throw table.error("capabilities", "PUB_KEY_ID and CERT exclude each other")
        }
    }
}
