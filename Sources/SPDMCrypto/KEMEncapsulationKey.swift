import Crypto
import Foundation

/// An ML-KEM encapsulation key (FIPS 203 ek): the Responder's side of an SPDM 1.4 KEM KEY_EXCHANGE.
/// Built from the Requester's exchange data, `encapsulate()` gives the ciphertext to send back in
/// KEY_EXCHANGE_RSP and the shared secret for the key schedule.
public struct KEMEncapsulationKey: Sendable {
    enum Key: Sendable {
        case mlKem768(MLKEM768.PublicKey)
        case mlKem1024(MLKEM1024.PublicKey)
    }

    let key: Key

    init(key: Key) { self.key = key }

    /// From the FIPS 203 encoding. Throws when the length is wrong or the key fails FIPS 203's
    /// encapsulation key check (every coefficient reduced modulo q), i.e. on a peer's bad exchange data.
    public init(algorithm: KEMAlgorithm, encapsulationKey raw: [UInt8]) throws {
        guard raw.count == algorithm.encapsulationKeySize else {
            throw CryptoError("\(algorithm.displayName) encapsulation key of \(raw.count) bytes, expected \(algorithm.encapsulationKeySize)")
        }
        do {
            switch algorithm {
            case .mlKem768: key = .mlKem768(try MLKEM768.PublicKey(rawRepresentation: raw))
            case .mlKem1024: key = .mlKem1024(try MLKEM1024.PublicKey(rawRepresentation: raw))
            }
        } catch { throw CryptoError("invalid \(algorithm.displayName) encapsulation key: \(error)") }
    }

    /// From an ML-KEM SubjectPublicKeyInfo (see `PQCKeyEncoding`).
    public init(subjectPublicKeyInfoDER der: [UInt8]) throws {
        guard let (algorithm, raw) = try PQCKeyEncoding.parseSubjectPublicKeyInfo(der),
              case .mlKem(let kem) = algorithm else {
            throw CryptoError("not an ML-KEM SubjectPublicKeyInfo")
        }
        try self.init(algorithm: kem, encapsulationKey: raw)
    }

    public var algorithm: KEMAlgorithm {
        switch key {
        case .mlKem768: return .mlKem768
        case .mlKem1024: return .mlKem1024
        }
    }

    /// The FIPS 203 encoding of ek.
    public var rawRepresentation: [UInt8] {
        switch key {
        case .mlKem768(let key): return Array(key.rawRepresentation)
        case .mlKem1024(let key): return Array(key.rawRepresentation)
        }
    }

    public var subjectPublicKeyInfoDER: [UInt8] {
        PQCKeyEncoding.subjectPublicKeyInfo(.mlKem(algorithm), publicKey: rawRepresentation)
    }

    /// ML-KEM.Encaps (FIPS 203 Algorithm 17) with fresh randomness.
    public func encapsulate() throws -> KEMEncapsulation {
        do {
            let result: KEM.EncapsulationResult
            switch key {
            case .mlKem768(let key): result = try key.encapsulate()
            case .mlKem1024(let key): result = try key.encapsulate()
            }
            return KEMEncapsulation(ciphertext: Array(result.encapsulated),
                                    sharedSecret: result.sharedSecret.withUnsafeBytes { Array($0) })
        } catch { throw CryptoError("\(algorithm.displayName) encapsulation failed: \(error)") }
    }
}

/// The result of an encapsulation: the ciphertext for the peer and the 32-byte shared secret
/// (secret: `secureZero` it after the key schedule has consumed it).
public struct KEMEncapsulation: Sendable {
    public var ciphertext: [UInt8]
    public var sharedSecret: [UInt8]
}
