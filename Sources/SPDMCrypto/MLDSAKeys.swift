import Crypto
import Foundation

/// An ML-DSA private key inside swift-crypto (FIPS 204, BoringSSL). swift-crypto keeps the key in
/// its own storage, which it cleanses when freed; the seed leaves it only through `withSeed`.
enum MLDSASigningKey: Sendable {
    case mlDsa65(MLDSA65.PrivateKey)
    case mlDsa87(MLDSA87.PrivateKey)

    static func generate(_ algorithm: PQCSignatureAlgorithm) throws -> MLDSASigningKey {
        do {
            switch algorithm {
            case .mlDsa65: return .mlDsa65(try MLDSA65.PrivateKey())
            case .mlDsa87: return .mlDsa87(try MLDSA87.PrivateKey())
            }
        } catch { throw CryptoError("\(algorithm.displayName) key generation failed: \(error)") }
    }

    /// ML-DSA.KeyGen_internal(ξ) (FIPS 204 Algorithm 6) from the 32-byte seed.
    init(_ algorithm: PQCSignatureAlgorithm, seed: [UInt8]) throws {
        guard seed.count == PQCSignatureAlgorithm.seedSize else {
            throw CryptoError("\(algorithm.displayName) seed of \(seed.count) bytes, expected \(PQCSignatureAlgorithm.seedSize)")
        }
        do {
            switch algorithm {
            case .mlDsa65: self = .mlDsa65(try MLDSA65.PrivateKey(seedRepresentation: seed, publicKey: nil))
            case .mlDsa87: self = .mlDsa87(try MLDSA87.PrivateKey(seedRepresentation: seed, publicKey: nil))
            }
        } catch { throw CryptoError("\(algorithm.displayName) key from seed failed: \(error)") }
    }

    var algorithm: PQCSignatureAlgorithm {
        switch self {
        case .mlDsa65: return .mlDsa65
        case .mlDsa87: return .mlDsa87
        }
    }

    /// Runs `body` with a copy of the seed that is cleansed afterwards.
    func withSeed<T>(_ body: ([UInt8]) throws -> T) rethrows -> T {
        var seed: [UInt8]
        switch self {
        case .mlDsa65(let key): seed = Array(key.seedRepresentation)
        case .mlDsa87(let key): seed = Array(key.seedRepresentation)
        }
        defer { secureZero(&seed) }
        return try body(seed)
    }

    var publicKey: MLDSAVerifyingKey {
        switch self {
        case .mlDsa65(let key): return .mlDsa65(key.publicKey)
        case .mlDsa87(let key): return .mlDsa87(key.publicKey)
        }
    }

    /// Pure ML-DSA.Sign(sk, message, context) (FIPS 204 Algorithm 2), hedged.
    func sign(message: [UInt8], context: [UInt8]) throws -> [UInt8] {
        guard context.count <= PQCSignatureAlgorithm.maximumContextSize else {
            throw CryptoError("ML-DSA context of \(context.count) bytes (at most 255)")
        }
        do {
            switch self {
            case .mlDsa65(let key): return Array(try key.signature(for: message, context: context))
            case .mlDsa87(let key): return Array(try key.signature(for: message, context: context))
            }
        } catch { throw CryptoError("\(algorithm.displayName) signing failed: \(error)") }
    }
}

/// An ML-DSA public key inside swift-crypto.
enum MLDSAVerifyingKey: Sendable {
    case mlDsa65(MLDSA65.PublicKey)
    case mlDsa87(MLDSA87.PublicKey)

    /// From the FIPS 204 pkEncode bytes; throws when the length is not the parameter set's.
    init(_ algorithm: PQCSignatureAlgorithm, rawRepresentation raw: [UInt8]) throws {
        guard raw.count == algorithm.publicKeySize else {
            throw CryptoError("\(algorithm.displayName) public key of \(raw.count) bytes, expected \(algorithm.publicKeySize)")
        }
        do {
            switch algorithm {
            case .mlDsa65: self = .mlDsa65(try MLDSA65.PublicKey(rawRepresentation: raw))
            case .mlDsa87: self = .mlDsa87(try MLDSA87.PublicKey(rawRepresentation: raw))
            }
        } catch { throw CryptoError("invalid \(algorithm.displayName) public key: \(error)") }
    }

    var algorithm: PQCSignatureAlgorithm {
        switch self {
        case .mlDsa65: return .mlDsa65
        case .mlDsa87: return .mlDsa87
        }
    }

    var rawRepresentation: [UInt8] {
        switch self {
        case .mlDsa65(let key): return Array(key.rawRepresentation)
        case .mlDsa87(let key): return Array(key.rawRepresentation)
        }
    }

    /// ML-DSA.Verify(pk, message, signature, context); false for any malformed input.
    func isValid(signature: [UInt8], message: [UInt8], context: [UInt8]) -> Bool {
        guard signature.count == algorithm.signatureSize,
              context.count <= PQCSignatureAlgorithm.maximumContextSize else { return false }
        switch self {
        case .mlDsa65(let key): return key.isValidSignature(signature, for: message, context: context)
        case .mlDsa87(let key): return key.isValidSignature(signature, for: message, context: context)
        }
    }
}
