/// The key encapsulation mechanisms of SPDM 1.4's KEMAlg structure (DSP0274 1.4 NEGOTIATE_ALGORITHMS
/// AlgType 7 "KEMAlg": bit 0 ML-KEM-512, bit 1 ML-KEM-768, bit 2 ML-KEM-1024), implemented with
/// swift-crypto's ML-KEM (FIPS 203). swift-crypto 4.5.2 offers ML-KEM-768 and ML-KEM-1024 only, so
/// ML-KEM-512 is not offered here.
///
/// In KEY_EXCHANGE the Requester sends its encapsulation key (`KEMKeyPair.encapsulationKey`) where a DHE
/// Requester sends its exchange data; the Responder answers with the ciphertext of
/// `KEMEncapsulationKey.encapsulate()`, and both feed the 32-byte shared secret to the key schedule in
/// place of the DHE secret (DSP0274 1.4 KEY_EXCHANGE / KEY_EXCHANGE_RSP ExchangeData).
public enum KEMAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case mlKem768, mlKem1024

    /// Encapsulation key bytes (FIPS 203 ek, the Requester's KEY_EXCHANGE exchange data).
    public var encapsulationKeySize: Int {
        switch self {
        case .mlKem768: return 1184
        case .mlKem1024: return 1568
        }
    }

    /// Ciphertext bytes (the Responder's KEY_EXCHANGE_RSP exchange data).
    public var ciphertextSize: Int {
        switch self {
        case .mlKem768: return 1088
        case .mlKem1024: return 1568
        }
    }

    /// Expanded decapsulation key bytes (FIPS 203 dk), as PKCS#8 `expandedKey` carries it.
    var expandedDecapsulationKeySize: Int {
        switch self {
        case .mlKem768: return 2400
        case .mlKem1024: return 3168
        }
    }

    /// The shared secret is 32 bytes for every parameter set.
    public static let sharedSecretSize = 32

    /// The private key is the 64-byte seed d || z of ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16).
    public static let seedSize = 64

    /// id-alg-ml-kem-768 2.16.840.1.101.3.4.4.2 / id-alg-ml-kem-1024 …4.3 (NIST CSOR;
    /// draft-ietf-lamps-kyber-certificates), parameters absent.
    public var objectIdentifier: String {
        switch self {
        case .mlKem768: return "2.16.840.1.101.3.4.4.2"
        case .mlKem1024: return "2.16.840.1.101.3.4.4.3"
        }
    }

    var objectIdentifierContent: [UInt8] {
        switch self {
        case .mlKem768: return PQCObjectIdentifier.nistAlgorithms + [0x04, 0x02]
        case .mlKem1024: return PQCObjectIdentifier.nistAlgorithms + [0x04, 0x03]
        }
    }

    init?(objectIdentifierContent content: [UInt8]) {
        guard let match = Self.allCases.first(where: { $0.objectIdentifierContent == content }) else { return nil }
        self = match
    }

    public var displayName: String {
        switch self {
        case .mlKem768: return "ML-KEM-768"
        case .mlKem1024: return "ML-KEM-1024"
        }
    }
}
