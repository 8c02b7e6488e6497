import Foundation
import SPDMCrypto

/// Generated device keys and leaf certificates, persisted under <state>/devices/<device>/ so a
/// device keeps its identity across restarts. A stored leaf is reused while it fits the algorithm
/// and was issued by the current CA; otherwise a new one is made.
struct DeviceIdentityStore {
    let stateDirectory: String

    struct Leaf {
        var key: PrivateKey
        var certificate: Certificate
    }

    /// The file name stem of a generated leaf: `slot<N>` for a classic algorithm, `slot<N>.mldsa65`
    /// (the CA directory's name) for ML-DSA, so a hybrid slot keeps one leaf of each kind.
    static func leafName(slot: UInt8, algorithm: SigningAlgorithm) -> String {
        switch algorithm {
        case .classic: return "slot\(slot)"
        case .pqc(let pqc): return "slot\(slot)." + CertificateAuthority.directoryName(for: pqc)
        }
    }

    func leaf(device: String, slot: UInt8, algorithm: SigningAlgorithm, commonName: String,
              authority: CertificateAuthority) throws -> Leaf {
        // One lock per device: daemons sharing a state directory never make the same device's
        // material at once, and one daemon makes many devices' in parallel (fleet identities).
        try StateDirectory.withExclusiveLock(stateDirectory + "/devices/." + device + ".generation.lock") {
            try loadOrCreate(device: device, slot: slot, algorithm: algorithm, commonName: commonName, authority: authority)
        }
    }

    private func loadOrCreate(device: String, slot: UInt8, algorithm: SigningAlgorithm, commonName: String,
                              authority: CertificateAuthority) throws -> Leaf {
        let directory = stateDirectory + "/devices/" + device
        let name = Self.leafName(slot: slot, algorithm: algorithm)
        let keyPath = directory + "/" + name + ".key"
        let certificatePath = directory + "/" + name + ".cert.der"
        if let keyBytes = StateDirectory.read(keyPath), let certificateBytes = StateDirectory.read(certificatePath),
           let key = try? PrivateKey(pem: String(decoding: keyBytes, as: UTF8.self)),
           let certificate = try? Certificate(der: certificateBytes),
           key.matches(algorithm),
           (try? certificate.subjectPublicKey())?.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER,
           (try? ChainVerifier.verify(chain: [authority.root, authority.intermediate, certificate], trustedRoots: [authority.root],
                                                options: .init(validAt: Date()))) != nil {
            return Leaf(key: key, certificate: certificate)
        }
        let key = try PrivateKey.generate(keyType: algorithm.keyType)
        let certificate = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .responderLeaf, commonName: commonName),
            subjectKey: key.publicKey, issuer: authority.intermediate, issuerKey: authority.intermediateKey)
        try StateDirectory.writeAtomically(Array(key.pkcs8PEM.utf8), to: keyPath, secret: true)
        try StateDirectory.writeAtomically(certificate.der, to: certificatePath)
        return Leaf(key: key, certificate: certificate)
    }

    /// A leaf for an existing key (a configured key pair), issued by `authority` and kept beside the
    /// device's other material; reused while it certifies that key and chains to the current CA.
    func leaf(device: String, slot: UInt8, key: PrivateKey, commonName: String, authority: CertificateAuthority) throws -> Leaf {
        try StateDirectory.withExclusiveLock(stateDirectory + "/.generation.lock") {
            let certificatePath = stateDirectory + "/devices/" + device + "/slot\(slot).key-pair.cert.der"
            if let bytes = StateDirectory.read(certificatePath), let certificate = try? Certificate(der: bytes),
               certificate.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER,
               (try? ChainVerifier.verify(chain: [authority.root, authority.intermediate, certificate], trustedRoots: [authority.root],
                                                    options: .init(validAt: Date()))) != nil {
                return Leaf(key: key, certificate: certificate)
            }
            let certificate = try CertificateFactory.makeCertificate(
                profile: CertificateRequestProfile(kind: .responderLeaf, commonName: commonName),
                subjectKey: key.publicKey, issuer: authority.intermediate, issuerKey: authority.intermediateKey)
            try StateDirectory.writeAtomically(certificate.der, to: certificatePath)
            return Leaf(key: key, certificate: certificate)
        }
    }

    /// The key of key pair `id`, generated once for `algorithm` and kept in the state directory.
    func keyPairKey(device: String, id: UInt8, algorithm: SignatureAlgorithm) throws -> PrivateKey {
        try StateDirectory.withExclusiveLock(stateDirectory + "/.generation.lock") {
            let path = stateDirectory + "/devices/" + device + "/key_pair\(id).key"
            if let bytes = StateDirectory.read(path), let key = try? PrivateKey(pem: String(decoding: bytes, as: UTF8.self)),
               key.matches(algorithm) {
                return key
            }
            let key = try PrivateKey.generate(algorithm)
            try StateDirectory.writeAtomically(Array(key.pkcs8PEM.utf8), to: path, secret: true)
            return key
        }
    }
}
