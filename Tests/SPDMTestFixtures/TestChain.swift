import SPDMCrypto
import SPDMResponder

/// A root -> intermediate -> leaf chain whose three keys are all of one algorithm's key type.
public struct TestChain: Sendable {
    public var root: Certificate
    public var intermediate: Certificate
    public var leaf: Certificate
    public var leafKey: PrivateKey

    public var certificatesDER: [UInt8] { root.der + intermediate.der + leaf.der }

    public func slot(_ id: UInt8 = 0) -> CertificateSlot {
        CertificateSlot(id: id, certificatesDER: certificatesDER, rootCertificateDER: root.der, privateKey: leafKey)
    }

    /// A new chain; its leaf certifies `leafKey` when given (a key a device already holds).
    public static func make(_ algorithm: SignatureAlgorithm, name: String, leafKey given: PrivateKey? = nil) -> TestChain {
        make(keyType: algorithm.keyType, name: name, leafKey: given)
    }

    /// A new chain of `keyType` keys (ML-DSA included: its certificates are signed with ML-DSA), with a
    /// responder leaf, or a requester leaf for mutual authentication.
    public static func make(keyType: KeyType, name: String, leafKind: CertificateKind = .responderLeaf,
                            leafKey given: PrivateKey? = nil) -> TestChain {
        do {
            let rootKey = try PrivateKey.generate(keyType: keyType)
            let intermediateKey = try PrivateKey.generate(keyType: keyType)
            let leafKey = try given ?? PrivateKey.generate(keyType: keyType)
            let root = try CertificateFactory.makeCertificate(
                commonName: "\(name) test root", subjectKey: rootKey.publicKey, issuer: nil, issuerKey: rootKey,
                serial: 1, validityDays: 3650, kind: .root)
            let intermediate = try CertificateFactory.makeCertificate(
                commonName: "\(name) test intermediate", subjectKey: intermediateKey.publicKey, issuer: root, issuerKey: rootKey,
                serial: 2, validityDays: 3650, kind: .intermediate)
            let leaf = try CertificateFactory.makeCertificate(
                commonName: "\(name) test device", subjectKey: leafKey.publicKey, issuer: intermediate, issuerKey: intermediateKey,
                serial: 3, validityDays: 3650, kind: leafKind)
            return TestChain(root: root, intermediate: intermediate, leaf: leaf, leafKey: leafKey)
        } catch {
            fatalError("cannot build a \(keyType) test chain: \(error)")
        }
    }
}

/// One chain per key type, built once (RSA-4096 generation is slow); RSASSA and RSAPSS share keys.
public enum TestChains {
    public static let rsa2048 = TestChain.make(.rsassa2048, name: "RSA-2048")
    public static let rsa3072 = TestChain.make(.rsassa3072, name: "RSA-3072")
    public static let rsa4096 = TestChain.make(.rsassa4096, name: "RSA-4096")
    public static let p256 = TestChain.make(.ecdsaP256, name: "P-256")
    public static let p384 = TestChain.make(.ecdsaP384, name: "P-384")
    public static let p521 = TestChain.make(.ecdsaP521, name: "P-521")
    public static let ed25519 = TestChain.make(.ed25519, name: "Ed25519")
    public static let ed448 = TestChain.make(.ed448, name: "Ed448")
    public static let sm2 = TestChain.make(.sm2, name: "SM2")
    public static let mlDsa65 = TestChain.make(keyType: .mlDsa(.mlDsa65), name: "ML-DSA-65")
    public static let mlDsa87 = TestChain.make(keyType: .mlDsa(.mlDsa87), name: "ML-DSA-87")
    /// An ML-DSA-65 requester identity (requester-auth leaf), for mutual authentication.
    public static let mlDsa65Requester = TestChain.make(keyType: .mlDsa(.mlDsa65), name: "ML-DSA-65 requester", leafKind: .requesterLeaf)

    public static func chain(for algorithm: SignatureAlgorithm) -> TestChain {
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

    /// Hashes the crypto layer can pair with `algorithm`: OpenSSL 3.0 refuses RSA with SM3, SM2 signs with SM3 only.
    public static func hashes(for algorithm: SignatureAlgorithm) -> [HashAlgorithm] {
        switch algorithm {
        case .sm2: return [.sm3_256]
        case .rsassa2048, .rsassa3072, .rsassa4096, .rsapss2048, .rsapss3072, .rsapss4096:
            return HashAlgorithm.allCases.filter { $0 != .sm3_256 }
        default: return HashAlgorithm.allCases
        }
    }
}
