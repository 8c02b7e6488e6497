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

    func leaf(device: String, slot: UInt8, algorithm: SignatureAlgorithm, commonName: String,
              authority: CertificateAuthority) throws -> Leaf {
        try StateDirectory.withExclusiveLock(stateDirectory + "/.generation.lock") {
            try loadOrCreate(device: device, slot: slot, algorithm: algorithm, commonName: commonName, authority: authority)
        }
    }

    private func loadOrCreate(device: String, slot: UInt8, algorithm: SignatureAlgorithm, commonName: String,
                              authority: CertificateAuthority) throws -> Leaf {
        let directory = stateDirectory + "/devices/" + device
        let keyPath = directory + "/slot\(slot).key"
        let certificatePath = directory + "/slot\(slot).cert.der"
        if let keyBytes = StateDirectory.read(keyPath), let certificateBytes = StateDirectory.read(certificatePath),
           let key = try? PrivateKey(pem: String(decoding: keyBytes, as: UTF8.self)),
           let certificate = try? Certificate(der: certificateBytes),
           key.matches(algorithm),
           (try? certificate.subjectPublicKey())?.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER,
           (try? ChainVerifier.verify(chain: [authority.root, authority.intermediate, certificate], trustedRoots: [authority.root],
                                                options: .init(validAt: Date()))) != nil {
            return Leaf(key: key, certificate: certificate)
        }
        let key = try PrivateKey.generate(algorithm)
        let certificate = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .responderLeaf, commonName: commonName),
            subjectKey: key.publicKey, issuer: authority.intermediate, issuerKey: authority.intermediateKey)
        try StateDirectory.writeAtomically(Array(key.pkcs8PEM.utf8), to: keyPath, secret: true)
        try StateDirectory.writeAtomically(certificate.der, to: certificatePath)
        return Leaf(key: key, certificate: certificate)
    }
}
