/// The algorithm an SPDM signature is made with, whichever field of ALGORITHMS selected it:
/// BaseAsymSel / ReqBaseAsymAlg (`classic`) or, from SPDM 1.4, PqcAsymSel / ReqPqcAsymAlg (`pqc`).
/// DSP0274 1.4 lets at most one of each pair be selected, so a connection signs with exactly one.
public enum SigningAlgorithm: Hashable, Sendable, CustomStringConvertible {
    case classic(SignatureAlgorithm)
    case pqc(PQCSignatureAlgorithm)

    /// Bytes of the Signature field on the wire.
    public var signatureSize: Int {
        switch self {
        case .classic(let algorithm): return algorithm.signatureSize
        case .pqc(let algorithm): return algorithm.signatureSize
        }
    }

    public var keyType: KeyType {
        switch self {
        case .classic(let algorithm): return algorithm.keyType
        case .pqc(let algorithm): return algorithm.keyType
        }
    }

    public var description: String {
        switch self {
        case .classic(let algorithm): return algorithm.rawValue
        case .pqc(let algorithm): return algorithm.displayName
        }
    }
}

extension PrivateKey {
    /// True when this key signs with `algorithm` (type and size).
    public func matches(_ algorithm: SigningAlgorithm) -> Bool {
        switch algorithm {
        case .classic(let classic): return matches(classic)
        case .pqc(let pqc): return matches(pqc)
        }
    }

    /// Signs `message` (DSP0274 §15: M = combined_spdm_prefix || Hash(transcript) from 1.2) with
    /// `algorithm`. `context` is the SPDM signing context string: ML-DSA takes it as the FIPS 204 context
    /// (see `PQCSignatureAlgorithm`); the classic algorithms find it inside M and ignore it here.
    public func sign(_ algorithm: SigningAlgorithm, hash: HashAlgorithm, message: [UInt8], context: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .classic(let classic): return try sign(classic, hash: hash, message: message)
        case .pqc(let pqc): return try sign(pqc, message: message, context: context)
        }
    }
}

extension PublicKey {
    public func matches(_ algorithm: SigningAlgorithm) -> Bool {
        switch algorithm {
        case .classic(let classic): return matches(classic)
        case .pqc(let pqc): return matches(pqc)
        }
    }

    /// Verifies a signature made by `PrivateKey.sign(_:hash:message:context:)`.
    public func verify(_ algorithm: SigningAlgorithm, hash: HashAlgorithm, message: [UInt8], signature: [UInt8],
                       context: [UInt8]) -> Bool {
        switch algorithm {
        case .classic(let classic): return verify(classic, hash: hash, message: message, signature: signature)
        case .pqc(let pqc): return verify(pqc, message: message, signature: signature, context: context)
        }
    }
}
