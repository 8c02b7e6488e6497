import Foundation
import SPDMCrypto

/// The known-answer vectors in Vectors/<name>.txt ("field: hex" lines), made by Python
/// `cryptography` (OpenSSL 3.5+) with Vectors/generate_pqc_vectors.py: an implementation
/// independent of swift-crypto's BoringSSL.
struct PQCVectors {
    let fields: [String: [UInt8]]

    init(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name).txt")
        var fields: [String: [UInt8]] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":"), let bytes = [UInt8](spdmHex: String(line[line.index(after: colon)...])) else {
                throw CryptoError("bad vector line in \(name).txt: \(line.prefix(40))")
            }
            fields[String(line[..<colon])] = bytes
        }
        self.fields = fields
    }

    subscript(_ field: String) -> [UInt8] {
        get throws {
            guard let value = fields[field] else { throw CryptoError("vector field \(field) missing") }
            return value
        }
    }

    static func name(_ algorithm: PQCSignatureAlgorithm) -> String {
        algorithm == .mlDsa65 ? "mldsa65" : "mldsa87"
    }

    static func name(_ algorithm: KEMAlgorithm) -> String {
        algorithm == .mlKem768 ? "mlkem768" : "mlkem1024"
    }
}
