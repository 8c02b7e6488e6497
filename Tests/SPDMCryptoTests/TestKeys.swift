@testable import SPDMCrypto

/// One generated key per key type, shared by the tests (RSA-4096 generation is slow).
enum TestKeys {
    static let rsa2048 = try! PrivateKey.generate(.rsassa2048)
    static let rsa3072 = try! PrivateKey.generate(.rsassa3072)
    static let rsa4096 = try! PrivateKey.generate(.rsassa4096)
    static let p256 = try! PrivateKey.generate(.ecdsaP256)
    static let p384 = try! PrivateKey.generate(.ecdsaP384)
    static let p521 = try! PrivateKey.generate(.ecdsaP521)
    static let ed25519 = try! PrivateKey.generate(.ed25519)
    static let ed448 = try! PrivateKey.generate(.ed448)
    static let sm2 = try! PrivateKey.generate(.sm2)

    static func key(for algorithm: SignatureAlgorithm) -> PrivateKey {
        switch algorithm {
        case .rsassa2048, .rsapss2048: return rsa2048
        case .rsassa3072, .rsapss3072: return rsa3072
        case .rsassa4096, .rsapss4096: return rsa4096
        case .ecdsaP256: return p256
        case .ecdsaP384: return p384
        case .ecdsaP521: return p521
        case .ed25519: return ed25519
        case .ed448: return ed448
        case .sm2: return sm2
        }
    }

    /// The hashes an algorithm is exercised with: all SPDM hashes for ECDSA, all but SM3 for RSA
    /// (OpenSSL 3.0 refuses RSA with SM3), SM3 for SM2, and (ignored) SHA-384/512 for EdDSA.
    static func hashes(for algorithm: SignatureAlgorithm) -> [HashAlgorithm] {
        switch algorithm {
        case .sm2: return [.sm3_256]
        case .ed25519, .ed448: return [.sha384, .sha512]
        case .rsassa2048, .rsassa3072, .rsassa4096, .rsapss2048, .rsapss3072, .rsapss4096:
            return HashAlgorithm.allCases.filter { $0 != .sm3_256 }
        default: return HashAlgorithm.allCases
        }
    }
}
