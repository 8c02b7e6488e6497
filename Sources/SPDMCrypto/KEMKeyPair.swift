import Crypto
import Foundation

/// An ML-KEM decapsulation key (FIPS 203) with its encapsulation key: the Requester's side of an
/// SPDM 1.4 KEM KEY_EXCHANGE (see `KEMAlgorithm`). Generate one per KEY_EXCHANGE, send
/// `encapsulationKey`, then `decapsulate` the Responder's ciphertext into the shared secret.
/// The key stays inside swift-crypto, which cleanses it when freed.
public struct KEMKeyPair: Sendable {
    enum Key: Sendable {
        case mlKem768(MLKEM768.PrivateKey)
        case mlKem1024(MLKEM1024.PrivateKey)
    }

    public let algorithm: KEMAlgorithm
    let key: Key

    /// A fresh key pair (FIPS 203 ML-KEM.KeyGen).
    public init(algorithm: KEMAlgorithm) throws {
        self.algorithm = algorithm
        do {
            switch algorithm {
            case .mlKem768: key = .mlKem768(try MLKEM768.PrivateKey.generate())
            case .mlKem1024: key = .mlKem1024(try MLKEM1024.PrivateKey.generate())
            }
        } catch { throw CryptoError("\(algorithm.displayName) key generation failed: \(error)") }
    }

    /// The key pair of ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm 16), `seed` = d || z (64 bytes).
    public init(algorithm: KEMAlgorithm, seed: [UInt8]) throws {
        guard seed.count == KEMAlgorithm.seedSize else {
            throw CryptoError("\(algorithm.displayName) seed of \(seed.count) bytes, expected \(KEMAlgorithm.seedSize)")
        }
        self.algorithm = algorithm
        do {
            switch algorithm {
            case .mlKem768: key = .mlKem768(try MLKEM768.PrivateKey(seedRepresentation: seed, publicKey: nil))
            case .mlKem1024: key = .mlKem1024(try MLKEM1024.PrivateKey(seedRepresentation: seed, publicKey: nil))
            }
        } catch { throw CryptoError("\(algorithm.displayName) key from seed failed: \(error)") }
    }

    /// Parses PKCS#8 DER (seed or seed-and-expanded form, see `PQCKeyEncoding`).
    public init(pkcs8DER der: [UInt8]) throws {
        guard var info = try PQCKeyEncoding.parsePrivateKeyInfo(der) else {
            throw CryptoError("not an ML-KEM PKCS#8 private key")
        }
        defer { secureZero(&info.seed) }
        guard case .mlKem(let algorithm) = info.algorithm else {
            throw CryptoError("\(info.algorithm.displayName) is a signing key, not a key-encapsulation key")
        }
        try self.init(algorithm: algorithm, seed: info.seed)
        let encapsulationKey = self.encapsulationKey
        if let expanded = info.expandedKey,
           !PQCKeyEncoding.expandedMLKEMKeyMatches(expanded, algorithm: algorithm, encapsulationKey: encapsulationKey, seed: info.seed) {
            throw CryptoError("\(algorithm.displayName) private key: the expanded key does not belong to the seed")
        }
        if let stated = info.publicKey, stated != encapsulationKey {
            throw CryptoError("\(algorithm.displayName) private key: the public key does not belong to the seed")
        }
    }

    /// Parses a PEM "PRIVATE KEY" holding an ML-KEM key.
    public init(pem: String) throws {
        guard var der = PEM.decode(pem, label: "PRIVATE KEY") else { throw CryptoError("no PEM PRIVATE KEY block") }
        defer { secureZero(&der) }
        try self.init(pkcs8DER: der)
    }

    /// The encapsulation key ek (FIPS 203 encoding, `algorithm.encapsulationKeySize` bytes): what the
    /// Requester sends in KEY_EXCHANGE.
    public var encapsulationKey: [UInt8] {
        switch key {
        case .mlKem768(let key): return Array(key.publicKey.rawRepresentation)
        case .mlKem1024(let key): return Array(key.publicKey.rawRepresentation)
        }
    }

    /// The encapsulation key as a `KEMEncapsulationKey` (e.g. to encapsulate to oneself in tests).
    public var publicKey: KEMEncapsulationKey {
        switch key {
        case .mlKem768(let key): return KEMEncapsulationKey(key: .mlKem768(key.publicKey))
        case .mlKem1024(let key): return KEMEncapsulationKey(key: .mlKem1024(key.publicKey))
        }
    }

    /// ML-KEM.Decaps (FIPS 203 Algorithm 18): the 32-byte shared secret. Throws when the ciphertext
    /// is not `algorithm.ciphertextSize` bytes. A well-sized but altered ciphertext does not throw: FIPS
    /// 203's implicit rejection returns an unrelated secret, so the key schedule's verify data fails.
    /// The caller should `secureZero` the secret after use.
    public func decapsulate(_ ciphertext: [UInt8]) throws -> [UInt8] {
        guard ciphertext.count == algorithm.ciphertextSize else {
            throw CryptoError("\(algorithm.displayName) ciphertext of \(ciphertext.count) bytes, expected \(algorithm.ciphertextSize)")
        }
        do {
            let secret: SymmetricKey
            switch key {
            case .mlKem768(let key): secret = try key.decapsulate(ciphertext)
            case .mlKem1024(let key): secret = try key.decapsulate(ciphertext)
            }
            return secret.withUnsafeBytes { Array($0) }
        } catch { throw CryptoError("\(algorithm.displayName) decapsulation failed: \(error)") }
    }

    /// PKCS#8 DER in the seed form. Secret: `secureZero` it after use.
    public var pkcs8DER: [UInt8] {
        var seed: [UInt8]
        switch key {
        case .mlKem768(let key): seed = Array(key.seedRepresentation)
        case .mlKem1024(let key): seed = Array(key.seedRepresentation)
        }
        defer { secureZero(&seed) }
        return PQCKeyEncoding.privateKeyInfo(.mlKem(algorithm), seed: seed)
    }

    /// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") in the seed form.
    public var pkcs8PEM: String {
        var der = pkcs8DER
        defer { secureZero(&der) }
        return PEM.encode(der, label: "PRIVATE KEY")
    }
}
