import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMWire

/// The requester identity of `spdmctl session --requester-cert F --requester-key F`: a chain (PEM
/// bundle or DER certificates back to back, root first; a leaf-first bundle is turned around) and
/// the leaf's private key (PEM or DER). The signature algorithm is named, or follows from the key
/// (RSA keys sign with RSAPSS, as DMTF's reference requester does).
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

    /// The named algorithm, or the one the key fits (RSA: RSAPSS, as DMTF's reference requester).
    static func algorithmOf(_ privateKey: PrivateKey, named algorithm: String?, key: String) throws -> SignatureAlgorithm {
        let signatureAlgorithm: SignatureAlgorithm
        if let algorithm {
            guard let named = BaseAsymAlgorithms.named(algorithm)?.signatureAlgorithm else {
                throw ValidationError("--requester-asym \(algorithm) is not a signature algorithm name (e.g. RSAPSS_3072, ECDSA_P384)")
            }
            signatureAlgorithm = named
        } else {
            let fitting = SignatureAlgorithm.allCases.filter { privateKey.matches($0) }
            guard let chosen = fitting.first(where: { $0.rawValue.hasPrefix("rsapss") }) ?? fitting.first else {
                throw ValidationError("--requester-key \(key): no SPDM signature algorithm fits this key")
            }
            signatureAlgorithm = chosen
        }
        return signatureAlgorithm
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
