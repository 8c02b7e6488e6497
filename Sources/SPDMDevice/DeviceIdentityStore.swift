import Foundation
import SPDMCrypto

/// Generated device keys and leaf certificates, persisted under <state>/devices/<device>/ so a
/// device keeps its identity across restarts. A stored leaf is reused while it fits the algorithm
/// and was issued by the current CA; otherwise a new one is made.
struct DeviceIdentityStore {
    let stateDirectory: String

    struct Leaf {
        var key: PrivateKey
        /// The leaf certificate's DER (what a slot serves; nothing at run time needs it parsed).
        var certificateDER: [UInt8]
        /// Made by this call (not found stored).
        var isNew = false
    }

    /// The file name stem of a generated leaf: `slot<N>` for a classic algorithm, `slot<N>.mldsa65`
    /// (the CA directory's name) for ML-DSA, so a hybrid slot keeps one leaf of each kind.
    static func leafName(slot: UInt8, algorithm: SigningAlgorithm) -> String {
        switch algorithm {
        case .classic: return "slot\(slot)"
        case .pqc(let pqc): return "slot\(slot)." + CertificateAuthority.directoryName(for: pqc)
        }
    }

    /// `durable: false` leaves the new files' fsync to the caller, who makes a whole fleet's
    /// durable at once (`StateDirectory.syncFileSystem`) before the daemon reports ready: a file a
    /// crash tears before that fails its identity record and the full check, and is made anew.
    func leaf(device: String, slot: UInt8, algorithm: SigningAlgorithm, commonName: String,
              authority: CertificateAuthority, durable: Bool = true) throws -> Leaf {
        // A leaf its identity record vouches for needs no lock: files are replaced whole (rename),
        // and a key and leaf read from two different generations fail the record's digest.
        if let leaf = recordedLeaf(device: device, slot: slot, algorithm: algorithm, authority: authority) { return leaf }
        // One lock per device: daemons sharing a state directory never make the same device's
        // material at once, and one daemon makes many devices' in parallel (fleet identities).
        return try StateDirectory.withExclusiveLock(stateDirectory + "/devices/." + device + ".generation.lock") {
            try loadOrCreate(device: device, slot: slot, algorithm: algorithm, commonName: commonName, authority: authority,
                             durable: durable)
        }
    }

    /// The stored key and leaf of `device`'s slot, their paths, and the digest their identity
    /// record must hold.
    private struct Stored {
        var keyBytes: [UInt8]
        var certificateBytes: [UInt8]
        var digest: [UInt8]
        var recordPath: String
    }

    private func paths(device: String, slot: UInt8, algorithm: SigningAlgorithm) -> (key: String, certificate: String, record: String) {
        let stem = stateDirectory + "/devices/" + device + "/" + Self.leafName(slot: slot, algorithm: algorithm)
        return (stem + ".key", stem + ".cert.der", stem + ".identity")
    }

    private func stored(device: String, slot: UInt8, algorithm: SigningAlgorithm, authority: CertificateAuthority) -> Stored? {
        let paths = paths(device: device, slot: slot, algorithm: algorithm)
        guard let keyBytes = StateDirectory.read(paths.key), let certificateBytes = StateDirectory.read(paths.certificate) else { return nil }
        return Stored(keyBytes: keyBytes, certificateBytes: certificateBytes,
                      digest: IdentityRecord.digest(algorithm: algorithm, key: keyBytes, leaf: certificateBytes, authority: authority),
                      recordPath: paths.record)
    }

    /// The stored leaf when the record of an earlier full check of these very bytes vouches for it
    /// (IdentityRecord.swift). The key is decoded when it first signs, the leaf never (it is served as bytes).
    private func recordedLeaf(device: String, slot: UInt8, algorithm: SigningAlgorithm, authority: CertificateAuthority) -> Leaf? {
        guard let stored = stored(device: device, slot: slot, algorithm: algorithm, authority: authority) else { return nil }
        return recordedLeaf(stored, algorithm: algorithm)
    }

    private func recordedLeaf(_ stored: Stored, algorithm: SigningAlgorithm) -> Leaf? {
        guard let record = StateDirectory.read(stored.recordPath).flatMap(IdentityRecord.init(encoded:)),
              record.vouches(for: stored.digest, at: Date()),
              let key = PrivateKey(checkedPEM: String(decoding: stored.keyBytes, as: UTF8.self), keyType: algorithm.keyType) else { return nil }
        return Leaf(key: key, certificateDER: stored.certificateBytes)
    }

    private func loadOrCreate(device: String, slot: UInt8, algorithm: SigningAlgorithm, commonName: String,
                              authority: CertificateAuthority, durable: Bool) throws -> Leaf {
        let (keyPath, certificatePath, recordPath) = paths(device: device, slot: slot, algorithm: algorithm)
        if let stored = stored(device: device, slot: slot, algorithm: algorithm, authority: authority) {
            let (keyBytes, certificateBytes, digest) = (stored.keyBytes, stored.certificateBytes, stored.digest)
            if let leaf = recordedLeaf(stored, algorithm: algorithm) { return leaf }
            if let (key, certificate) = Self.checkedInFull(keyBytes: keyBytes, certificateBytes: certificateBytes,
                                                           algorithm: algorithm, authority: authority) {
                try? Self.record(IdentityRecord(digest: digest, leaf: certificate, authority: authority), at: recordPath)
                return Leaf(key: key, certificateDER: certificate.der)
            }
        }
        let key = try PrivateKey.generate(keyType: algorithm.keyType)
        let certificate = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .responderLeaf, commonName: commonName),
            subjectKey: key.publicKey, issuer: authority.intermediate, issuerKey: authority.intermediateKey)
        let keyBytes = Array(key.pkcs8PEM.utf8)
        try StateDirectory.writeAtomically(keyBytes, to: keyPath, secret: true, durable: durable)
        try StateDirectory.writeAtomically(certificate.der, to: certificatePath, durable: durable)
        let digest = IdentityRecord.digest(algorithm: algorithm, key: keyBytes, leaf: certificate.der, authority: authority)
        try? Self.record(IdentityRecord(digest: digest, leaf: certificate, authority: authority), at: recordPath)
        return Leaf(key: key, certificateDER: certificate.der, isNew: true)
    }

    /// The stored key and leaf when they pass the full check: the key fits the algorithm, the leaf
    /// certifies that key, and root → intermediate → leaf verifies, valid now.
    private static func checkedInFull(keyBytes: [UInt8], certificateBytes: [UInt8], algorithm: SigningAlgorithm,
                                      authority: CertificateAuthority) -> (PrivateKey, Certificate)? {
        guard let key = try? PrivateKey(pem: String(decoding: keyBytes, as: UTF8.self)),
              let certificate = try? Certificate(der: certificateBytes),
              key.matches(algorithm),
              (try? certificate.subjectPublicKey())?.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER,
              (try? ChainVerifier.verify(chain: [authority.root, authority.intermediate, certificate], trustedRoots: [authority.root],
                                         options: .init(validAt: Date()))) != nil else { return nil }
        return (key, certificate)
    }

    /// Writes an identity record. Not fsync'd: a record lost or torn by a crash only makes the next
    /// start run the full check again.
    private static func record(_ record: IdentityRecord, at path: String) throws {
        try StateDirectory.writeAtomically(record.encoded, to: path, durable: false)
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
                return Leaf(key: key, certificateDER: certificate.der)
            }
            let certificate = try CertificateFactory.makeCertificate(
                profile: CertificateRequestProfile(kind: .responderLeaf, commonName: commonName),
                subjectKey: key.publicKey, issuer: authority.intermediate, issuerKey: authority.intermediateKey)
            try StateDirectory.writeAtomically(certificate.der, to: certificatePath)
            return Leaf(key: key, certificateDER: certificate.der)
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
