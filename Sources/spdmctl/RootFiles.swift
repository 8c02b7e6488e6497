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
