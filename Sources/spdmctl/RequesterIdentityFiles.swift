import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMWire

/// The requester identity of `spdmctl session --requester-cert F --requester-key F`: a chain (PEM
/// bundle or DER certificates back to back, root first; a leaf-first bundle is turned around) and
/// the leaf's private key (PEM or DER; PKCS#8 for ML-DSA, as the builtin CA's mldsa65/end_requester.key).
/// The signature algorithm is named, or follows from the key (RSA keys sign with RSAPSS, as DMTF's
/// reference requester does; ML-DSA keys with their parameter set).
enum RequesterIdentityFiles {
    static func load(cert: String, key: String, slot: UInt8, algorithm: String?) throws -> RequesterCredentials {
        var certificates = try RootFiles.load(cert, option: "--requester-cert")
        guard let first = certificates.first, let last = certificates.last else {
            throw ValidationError("--requester-cert \(cert) holds no certificate")
        }
        if certificates.count > 1 && !first.isSelfSigned && last.isSelfSigned { certificates.reverse() }
        let privateKey = try loadKey(key)
        let signatureAlgorithm = try algorithmOf(privateKey, named: algorithm, key: key)
        do {
            return try RequesterCredentials(certificates: certificates, privateKey: privateKey, slotID: slot, algorithm: signatureAlgorithm)
        } catch let error as RequesterError {
            throw ValidationError("requester identity: \(error)")
        }
    }

    /// `--requester-pub-key-id`: the key alone, a raw public key identity (ReqSlotID 0xFF).
    static func loadRawKey(_ key: String, algorithm: String?) throws -> RequesterCredentials {
        let privateKey = try loadKey(key)
        do {
            return try RequesterCredentials.rawPublicKey(privateKey, algorithm: try algorithmOf(privateKey, named: algorithm, key: key))
        } catch let error as RequesterError {
            throw ValidationError("requester identity: \(error)")
        }
    }

    /// The named algorithm (a BaseAsymAlgo name such as RSAPSS_3072, or an ML-DSA one such as
    /// ML_DSA_65), or the one the key fits (RSA: RSAPSS, as DMTF's reference requester; an ML-DSA key:
    /// its parameter set, offered as the 1.4 ReqPqcAsymAlg).
    static func algorithmOf(_ privateKey: PrivateKey, named algorithm: String?, key: String) throws -> SigningAlgorithm {
        if let algorithm {
            guard let named = SigningAlgorithm.named(algorithm) else { throw unknownAlgorithm(algorithm) }
            return named
        }
        let classic = SignatureAlgorithm.allCases.filter { privateKey.matches($0) }
        if let chosen = classic.first(where: { $0.rawValue.hasPrefix("rsapss") }) ?? classic.first { return .classic(chosen) }
        if let pqc = PQCSignatureAlgorithm.allCases.first(where: { privateKey.matches($0) }) { return .pqc(pqc) }
        throw ValidationError("--requester-key \(key): no SPDM signature algorithm fits this key")
    }

    static func unknownAlgorithm(_ name: String) -> ValidationError {
        ValidationError("--requester-asym \(name) is not a signature algorithm name (e.g. RSAPSS_3072, ECDSA_P384, ML_DSA_65)")
    }

    static func loadKey(_ path: String) throws -> PrivateKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read --requester-key \(path)") }
        do {
            if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") { return try PrivateKey(pem: text) }
            return try PrivateKey(der: [UInt8](data))
        } catch {
            throw ValidationError("--requester-key \(path) is not a PEM or DER private key: \(error)")
        }
    }
}
