import Foundation
import SPDMCrypto

/// A CA directory in the layout of libspdm's sample keys, so DMTF's spdm_requester_emu can be run
/// from it and trust our devices:
///
///     <dir>/<alg>/ca.cert.der  ca1.cert.der  ca.key  inter.cert.der  inter.key
///                 end_requester.key  end_requester.cert.der  bundle_requester.certchain.der
///                 end_responder.key  end_responder.cert.der  bundle_responder.certchain.der
///                 end_requester.key.pub.der  end_responder.key.pub.der   (DER SubjectPublicKeyInfo:
///                 the raw public keys of PUB_KEY_ID_CAP, what spdm_requester_emu --slot_id 0xFF reads)
///
/// with <alg> one of ecp256 ecp384 ecp521 rsa2048 rsa3072 rsa4096 ed25519 ed448 sm2, or (SPDM 1.4
/// PqcAsymAlgo, certificates signed with ML-DSA by SPDMCrypto) mldsa65 mldsa87, libspdm's names.
/// The builtin CA lives in <state>/ca and is created on first use.
public struct CertificateAuthority: Sendable {
    public var directory: String
    public var root: Certificate
    public var intermediate: Certificate
    public var intermediateKey: PrivateKey

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func directoryName(for algorithm: SignatureAlgorithm) -> String {
        switch algorithm {
        case .ecdsaP256: return "ecp256"
        case .ecdsaP384: return "ecp384"
        case .ecdsaP521: return "ecp521"
        case .rsassa2048, .rsapss2048: return "rsa2048"
        case .rsassa3072, .rsapss3072: return "rsa3072"
        case .rsassa4096, .rsapss4096: return "rsa4096"
        case .ed25519: return "ed25519"
        case .ed448: return "ed448"
        case .sm2: return "sm2"
        }
    }

    /// libspdm's sample_key folder of an ML-DSA parameter set.
    public static func directoryName(for algorithm: PQCSignatureAlgorithm) -> String {
        switch algorithm {
        case .mlDsa65: return "mldsa65"
        case .mlDsa87: return "mldsa87"
        }
    }

    public static func builtinDirectory(stateDirectory: String) -> String { stateDirectory + "/ca" }

    /// The raw public key files (libspdm's sample key names).
    public static let responderPublicKeyFile = "end_responder.key.pub.der"
    public static let requesterPublicKeyFile = "end_requester.key.pub.der"

    public static func builtin(stateDirectory: String, algorithm: SignatureAlgorithm) throws -> CertificateAuthority {
        try builtin(stateDirectory: stateDirectory, name: directoryName(for: algorithm), keyType: algorithm.keyType)
    }

    /// The builtin ML-DSA CA (<state>/ca/mldsa65 or mldsa87), created on first use.
    public static func builtin(stateDirectory: String, algorithm: PQCSignatureAlgorithm) throws -> CertificateAuthority {
        try builtin(stateDirectory: stateDirectory, name: directoryName(for: algorithm), keyType: algorithm.keyType)
    }

    private static func builtin(stateDirectory: String, name: String, keyType: KeyType) throws -> CertificateAuthority {
        let base = builtinDirectory(stateDirectory: stateDirectory)
        let directory = base + "/" + name
        return try StateDirectory.withExclusiveLock(stateDirectory + "/.generation.lock") {
            if !FileManager.default.fileExists(atPath: directory + "/inter.key") {
                try create(in: directory, name: name, keyType: keyType)
            }
            let authority = try load(directory: base, name: name)
            if !FileManager.default.fileExists(atPath: directory + "/bundle_responder.certchain.der") {
                try authority.writeLeaf(kind: .responderLeaf, name: "responder", keyType: keyType)
            }
            try authority.writeMissingPublicKeys()
            return authority
        }
    }

    /// A leaf of `kind` signed by the intermediate, with its key and root||inter||leaf bundle, under
    /// libspdm's names: spdm_requester_emu reads bundle_responder.certchain.der (SET_CERTIFICATE at
    /// 1.2+) and the requester files (mutual authentication) from here.
    func writeLeaf(kind: CertificateKind, name: String, keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType: keyType)
        let leaf = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: kind, commonName: "spdm-fleet \(name)"),
            subjectKey: key.publicKey, issuer: intermediate, issuerKey: intermediateKey)
        try StateDirectory.writeAtomically(Array(key.pkcs8PEM.utf8), to: directory + "/end_\(name).key", secret: true)
        try StateDirectory.writeAtomically(leaf.der, to: directory + "/end_\(name).cert.der")
        try StateDirectory.writeAtomically(root.der + intermediate.der + leaf.der, to: directory + "/bundle_\(name).certchain.der")
        try StateDirectory.writeAtomically(key.publicKey.subjectPublicKeyInfoDER, to: directory + "/end_\(name).key.pub.der")
    }

    /// Writes end_<name>.key.pub.der beside each end_<name>.key that lacks one (a CA directory
    /// created before the raw public key files existed).
    func writeMissingPublicKeys() throws {
        for name in ["requester", "responder"] {
            let path = directory + "/end_\(name).key.pub.der"
            guard !FileManager.default.fileExists(atPath: path), let pem = StateDirectory.read(directory + "/end_\(name).key") else { continue }
            let key = try PrivateKey(pem: String(decoding: pem, as: UTF8.self))
            try StateDirectory.writeAtomically(key.publicKey.subjectPublicKeyInfoDER, to: path)
        }
    }

    /// The builtin CA of either kind of signing algorithm.
    public static func builtin(stateDirectory: String, algorithm: SigningAlgorithm) throws -> CertificateAuthority {
        switch algorithm {
        case .classic(let classic): return try builtin(stateDirectory: stateDirectory, algorithm: classic)
        case .pqc(let pqc): return try builtin(stateDirectory: stateDirectory, algorithm: pqc)
        }
    }

    /// A CA directory of either kind of signing algorithm.
    public static func load(directory base: String, algorithm: SigningAlgorithm) throws -> CertificateAuthority {
        switch algorithm {
        case .classic(let classic): return try load(directory: base, algorithm: classic)
        case .pqc(let pqc): return try load(directory: base, algorithm: pqc)
        }
    }

    public static func load(directory base: String, algorithm: SignatureAlgorithm) throws -> CertificateAuthority {
        try load(directory: base, name: directoryName(for: algorithm))
    }

    /// An ML-DSA CA directory (<base>/mldsa65 or mldsa87) in libspdm's layout.
    public static func load(directory base: String, algorithm: PQCSignatureAlgorithm) throws -> CertificateAuthority {
        try load(directory: base, name: directoryName(for: algorithm))
    }

    private static func load(directory base: String, name: String) throws -> CertificateAuthority {
        let directory = base + "/" + name
        func certificate(_ name: String) throws -> Certificate {
            guard let bytes = StateDirectory.read(directory + "/" + name) else { throw Failure(description: "cannot read \(directory)/\(name)") }
            do { return try Certificate(der: bytes) } catch { throw Failure(description: "\(directory)/\(name): \(error)") }
        }
        let root = try certificate("ca.cert.der")
        let intermediate = try certificate("inter.cert.der")
        guard let keyBytes = StateDirectory.read(directory + "/inter.key") else {
            throw Failure(description: "cannot read \(directory)/inter.key")
        }
        let key: PrivateKey
        do { key = try PrivateKey(pem: String(decoding: keyBytes, as: UTF8.self)) } catch {
            throw Failure(description: "\(directory)/inter.key: \(error)")
        }
        guard key.publicKey.subjectPublicKeyInfoDER == (try? intermediate.subjectPublicKey())?.subjectPublicKeyInfoDER else {
            throw Failure(description: "\(directory)/inter.key does not match inter.cert.der")
        }
        return CertificateAuthority(directory: directory, root: root, intermediate: intermediate, intermediateKey: key)
    }

    /// Root -> intermediate, plus requester and responder leaves in libspdm's layout.
    static func create(in directory: String, name: String, keyType: KeyType) throws {
        let rootKey = try PrivateKey.generate(keyType: keyType)
        let root = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .root, commonName: "spdm-fleet builtin \(name) root CA"),
            subjectKey: rootKey.publicKey, issuer: nil, issuerKey: rootKey)
        let interKey = try PrivateKey.generate(keyType: keyType)
        let inter = try CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .intermediate, commonName: "spdm-fleet builtin \(name) intermediate CA"),
            subjectKey: interKey.publicKey, issuer: root, issuerKey: rootKey)
        try StateDirectory.writeAtomically(Array(rootKey.pkcs8PEM.utf8), to: directory + "/ca.key", secret: true)
        try StateDirectory.writeAtomically(root.der, to: directory + "/ca.cert.der")
        // spdm_requester_emu insists on a second trusted root file; ours is the same root.
        try StateDirectory.writeAtomically(root.der, to: directory + "/ca1.cert.der")
        try StateDirectory.writeAtomically(inter.der, to: directory + "/inter.cert.der")
        let authority = CertificateAuthority(directory: directory, root: root, intermediate: inter, intermediateKey: interKey)
        try authority.writeLeaf(kind: .requesterLeaf, name: "requester", keyType: keyType)
        try authority.writeLeaf(kind: .responderLeaf, name: "responder", keyType: keyType)
        // inter.key last: its presence marks the directory complete.
        try StateDirectory.writeAtomically(Array(interKey.pkcs8PEM.utf8), to: directory + "/inter.key", secret: true)
    }
}
