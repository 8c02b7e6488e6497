import ArgumentParser
import Foundation
import SPDMCrypto

/// Trusted root certificates from --root files: DER (one or several back to back) or PEM bundles.
enum RootFiles {
    static func load(_ path: String, option: String = "--root") throws -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(option) \(path)")
        }
        let bytes = [UInt8](data)
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") {
                return try Certificate.parsePEMBundle(text)
            }
            return try Certificate.parseConcatenatedDER(bytes)
        } catch {
            throw ValidationError("\(option) \(path) is not a DER or PEM certificate: \(error)")
        }
    }
}

/// A raw public key file (DER SubjectPublicKeyInfo, as libspdm's <alg>/end_responder.key.pub.der, or PEM).
enum PublicKeyFile {
    static func load(_ path: String, option: String) throws -> PublicKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(option) \(path)") }
        let bytes = [UInt8](data)
        if let key = try? PublicKey(subjectPublicKeyInfoDER: bytes) { return key }
        if let key = try? PublicKey(pem: String(decoding: bytes, as: UTF8.self)) { return key }
        throw ValidationError("\(option) \(path) is neither a DER SubjectPublicKeyInfo nor a PEM public key")
    }
}
