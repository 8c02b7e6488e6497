import COpenSSL

/// The hash algorithms SPDM negotiates in NEGOTIATE_ALGORITHMS BaseHashAlgo (DSP0274 Table "BaseHashAlgo").
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case sha256, sha384, sha512, sha3_256, sha3_384, sha3_512, sm3_256

    /// Digest length in bytes (the SPDM "H").
    public var digestSize: Int {
        switch self {
        case .sha256, .sha3_256, .sm3_256: return 32
        case .sha384, .sha3_384: return 48
        case .sha512, .sha3_512: return 64
        }
    }

    /// OpenSSL's algorithm name (as `EVP_get_digestbyname` and EVP_KDF/EVP_MAC params spell it).
    var openSSLName: String {
        switch self {
        case .sha256: return "SHA256"
        case .sha384: return "SHA384"
        case .sha512: return "SHA512"
        case .sha3_256: return "SHA3-256"
        case .sha3_384: return "SHA3-384"
        case .sha3_512: return "SHA3-512"
        case .sm3_256: return "SM3"
        }
    }

    /// The (static, never freed) OpenSSL method table for this digest.
    var evpMD: OpaquePointer {
        let md: OpaquePointer?
        switch self {
        case .sha256: md = EVP_sha256()
        case .sha384: md = EVP_sha384()
        case .sha512: md = EVP_sha512()
        case .sha3_256: md = EVP_sha3_256()
        case .sha3_384: md = EVP_sha3_384()
        case .sha3_512: md = EVP_sha3_512()
        case .sm3_256: md = EVP_sm3()
        }
        guard let md else { preconditionFailure("OpenSSL lacks digest \(openSSLName)") }
        return md
    }
}
