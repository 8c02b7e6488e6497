/// SubjectPublicKeyInfo and PKCS#8 of ML-DSA (RFC 9881) and ML-KEM (draft-ietf-lamps-kyber-certificates),
/// the forms OpenSSL 3.5+ and Python `cryptography` read and write:
///
///     SubjectPublicKeyInfo ::= SEQUENCE {
///         algorithm         SEQUENCE { OBJECT IDENTIFIER id-ml-dsa-65 | … }   -- parameters absent
///         subjectPublicKey  BIT STRING }                                      -- the raw FIPS 204 pk / FIPS 203 ek
///
///     OneAsymmetricKey ::= SEQUENCE {                                         -- RFC 5958 (PKCS#8)
///         version                   INTEGER { v1(0), v2(1) },
///         privateKeyAlgorithm       SEQUENCE { OBJECT IDENTIFIER },
///         privateKey                OCTET STRING (ML-DSA-PrivateKey | ML-KEM-PrivateKey),
///         attributes            [0] IMPLICIT … OPTIONAL,
///         publicKey             [1] IMPLICIT BIT STRING OPTIONAL }
///
///     ML-DSA-PrivateKey ::= CHOICE {                   ML-KEM-PrivateKey ::= CHOICE {
///         seed [0] IMPLICIT OCTET STRING (32),            seed [0] IMPLICIT OCTET STRING (64),   -- d || z
///         expandedKey OCTET STRING (4032 | 4896),         expandedKey OCTET STRING (2400 | 3168),
///         both SEQUENCE { seed, expandedKey } }           both SEQUENCE { seed, expandedKey } }
///
/// We write the seed form (what Python `cryptography` writes), and read the seed and "both" forms
/// ("both" is OpenSSL 3.5's default output, e.g. libspdm's sample keys): the key is rebuilt from the
/// seed, and the expanded key must agree with it. An expandedKey without its seed cannot be imported
/// (swift-crypto builds keys from seeds only) and is refused with a message saying so.
enum PQCKeyEncoding {
    enum Algorithm: Equatable {
        case mlDsa(PQCSignatureAlgorithm)
        case mlKem(KEMAlgorithm)

        init?(objectIdentifierContent content: [UInt8]) {
            if let signature = PQCSignatureAlgorithm(objectIdentifierContent: content) {
                self = .mlDsa(signature)
            } else if let kem = KEMAlgorithm(objectIdentifierContent: content) {
                self = .mlKem(kem)
            } else {
                return nil
            }
        }

        var objectIdentifierContent: [UInt8] {
            switch self {
            case .mlDsa(let algorithm): return algorithm.objectIdentifierContent
            case .mlKem(let algorithm): return algorithm.objectIdentifierContent
            }
        }

        var displayName: String {
            switch self {
            case .mlDsa(let algorithm): return algorithm.displayName
            case .mlKem(let algorithm): return algorithm.displayName
            }
        }

        var publicKeySize: Int {
            switch self {
            case .mlDsa(let algorithm): return algorithm.publicKeySize
            case .mlKem(let algorithm): return algorithm.encapsulationKeySize
            }
        }

        var seedSize: Int {
            switch self {
            case .mlDsa: return PQCSignatureAlgorithm.seedSize
            case .mlKem: return KEMAlgorithm.seedSize
            }
        }

        var expandedKeySize: Int {
            switch self {
            case .mlDsa(let algorithm): return algorithm.expandedPrivateKeySize
            case .mlKem(let algorithm): return algorithm.expandedDecapsulationKeySize
            }
        }
    }

    /// What a PKCS#8 document of one of our algorithms holds. `seed` is secret: cleanse it after use.
    struct PrivateKeyInfo {
        var algorithm: Algorithm
        var seed: [UInt8]
        /// The FIPS 204 sk / FIPS 203 dk of the "both" form, to check against the seed's key.
        var expandedKey: [UInt8]?
        /// The optional [1] publicKey of a v2 OneAsymmetricKey.
        var publicKey: [UInt8]?
    }

    static func subjectPublicKeyInfo(_ algorithm: Algorithm, publicKey: [UInt8]) -> [UInt8] {
        DER.sequence(DER.sequence(DER.objectIdentifier(content: algorithm.objectIdentifierContent)),
                     DER.bitString(publicKey))
    }

    /// PKCS#8 v1 with the seed [0] choice. Secret: the caller cleanses it.
    static func privateKeyInfo(_ algorithm: Algorithm, seed: [UInt8]) -> [UInt8] {
        DER.sequence(DER.integer(0),
                     DER.sequence(DER.objectIdentifier(content: algorithm.objectIdentifierContent)),
                     DER.octetString(DER.implicitPrimitive(0, seed)))
    }

    /// The algorithm identifier's OID content octets of an SPKI or PKCS#8 document, without judging
    /// the rest; nil when `der` does not start like one.
    static func algorithmIdentifier(of der: [UInt8], isPrivate: Bool) -> [UInt8]? {
        var outer = DERReader(der)
        guard var document = try? outer.element(tag: DERReader.Tag.sequence) else { return nil }
        if isPrivate { guard (try? document.smallInteger()) != nil else { return nil } }
        guard var identifier = try? document.element(tag: DERReader.Tag.sequence) else { return nil }
        return try? identifier.objectIdentifierContent()
    }

    /// True when `der`'s algorithm is one of ours.
    static func isPostQuantumSubjectPublicKeyInfo(_ der: [UInt8]) -> Bool {
        algorithmIdentifier(of: der, isPrivate: false).flatMap(Algorithm.init(objectIdentifierContent:)) != nil
    }

    /// Parses an ML-DSA or ML-KEM SubjectPublicKeyInfo. Returns nil when the OID is none of ours (the
    /// caller hands the bytes to OpenSSL); throws when it is ours but malformed.
    static func parseSubjectPublicKeyInfo(_ der: [UInt8]) throws -> (algorithm: Algorithm, publicKey: [UInt8])? {
        guard let oid = algorithmIdentifier(of: der, isPrivate: false),
              let algorithm = Algorithm(objectIdentifierContent: oid) else { return nil }
        var outer = DERReader(der)
        var document = try outer.element(tag: DERReader.Tag.sequence)
        try outer.requireEnd("SubjectPublicKeyInfo")
        try readAlgorithmIdentifier(&document, algorithm)
        let key = try document.octetAlignedBitString()
        try document.requireEnd("SubjectPublicKeyInfo")
        guard key.count == algorithm.publicKeySize else {
            throw CryptoError("\(algorithm.displayName) public key of \(key.count) bytes, expected \(algorithm.publicKeySize)")
        }
        return (algorithm, key)
    }

    /// Parses an ML-DSA or ML-KEM PKCS#8 document; nil when the OID is none of ours.
    static func parsePrivateKeyInfo(_ der: [UInt8]) throws -> PrivateKeyInfo? {
        guard let oid = algorithmIdentifier(of: der, isPrivate: true),
              let algorithm = Algorithm(objectIdentifierContent: oid) else { return nil }
        var outer = DERReader(der)
        var document = try outer.element(tag: DERReader.Tag.sequence)
        try outer.requireEnd("PKCS#8 PrivateKeyInfo")
        let version = try document.smallInteger()
        guard version == 0 || version == 1 else { throw CryptoError("PKCS#8 version \(version) (expected 0 or 1)") }
        try readAlgorithmIdentifier(&document, algorithm)
        var privateKey = try document.contents(tag: DERReader.Tag.octetString)
        defer { secureZero(&privateKey) }
        var info = try parseChoice(privateKey, algorithm)
        if document.nextTag == 0xA0 { try document.skip() }  // attributes
        if document.nextTag == 0x81 {                          // [1] IMPLICIT BIT STRING publicKey
            var bits = try document.contents(tag: 0x81)
            guard bits.first == 0 else { throw CryptoError("PKCS#8 publicKey with unused bits") }
            bits.removeFirst()
            info.publicKey = bits
        }
        try document.requireEnd("PKCS#8 PrivateKeyInfo")
        return info
    }

    /// AlgorithmIdentifier with our OID and no parameters (RFC 9881 §2: parameters MUST be absent).
    private static func readAlgorithmIdentifier(_ reader: inout DERReader, _ algorithm: Algorithm) throws {
        var identifier = try reader.element(tag: DERReader.Tag.sequence)
        _ = try identifier.objectIdentifierContent()
        guard identifier.isAtEnd else {
            throw CryptoError("\(algorithm.displayName) AlgorithmIdentifier with parameters (they must be absent)")
        }
    }

    /// The seed / expandedKey / both CHOICE inside the privateKey OCTET STRING.
    private static func parseChoice(_ content: [UInt8], _ algorithm: Algorithm) throws -> PrivateKeyInfo {
        var reader = DERReader(content)
        var seed: [UInt8]
        var expanded: [UInt8]?
        switch reader.nextTag {
        case 0x80:
            seed = try reader.contents(tag: 0x80)
        case DERReader.Tag.sequence:
            var both = try reader.element(tag: DERReader.Tag.sequence)
            seed = try both.contents(tag: DERReader.Tag.octetString)
            expanded = try both.contents(tag: DERReader.Tag.octetString)
            try both.requireEnd("\(algorithm.displayName) private key (both)")
        case DERReader.Tag.octetString:
            throw CryptoError("\(algorithm.displayName) private key holds only the expanded key; "
                              + "a key with its seed is needed (e.g. `openssl pkey -provparam ml-dsa.output_formats=seed-only`)")
        default:
            throw CryptoError("\(algorithm.displayName) private key: unknown encoding")
        }
        try reader.requireEnd("\(algorithm.displayName) private key")
        guard seed.count == algorithm.seedSize else {
            secureZero(&seed)
            throw CryptoError("\(algorithm.displayName) seed of \(seed.count) bytes, expected \(algorithm.seedSize)")
        }
        if let key = expanded, key.count != algorithm.expandedKeySize {
            secureZero(&seed)
            throw CryptoError("\(algorithm.displayName) expanded key of \(key.count) bytes, expected \(algorithm.expandedKeySize)")
        }
        return PrivateKeyInfo(algorithm: algorithm, seed: seed, expandedKey: expanded, publicKey: nil)
    }

    /// Checks an expanded ML-DSA sk (FIPS 204 skEncode: ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0) against the public
    /// key the seed produced (pkEncode: ρ ‖ t1): ρ must match and tr must be H(pk, 64) (SHAKE256).
    /// K, s1, s2 and t0 are not reachable through swift-crypto, so they are not compared.
    static func expandedMLDSAKeyMatches(_ expanded: [UInt8], publicKey: [UInt8]) -> Bool {
        guard expanded.count >= 128, publicKey.count >= 32 else { return false }
        return constantTimeEquals(Array(expanded[0..<32]), Array(publicKey[0..<32]))
            && constantTimeEquals(Array(expanded[64..<128]), Digest.shake256(publicKey, outputSize: 64))
    }

    /// Checks an expanded ML-KEM dk (FIPS 203: dk_PKE ‖ ek ‖ H(ek) ‖ z) against the seed's ek and z.
    static func expandedMLKEMKeyMatches(_ expanded: [UInt8], algorithm: KEMAlgorithm,
                                        encapsulationKey: [UInt8], seed: [UInt8]) -> Bool {
        let ekSize = algorithm.encapsulationKeySize
        let pkeSize = algorithm.expandedDecapsulationKeySize - ekSize - 64
        guard expanded.count == algorithm.expandedDecapsulationKeySize, seed.count == KEMAlgorithm.seedSize else { return false }
        let ek = Array(expanded[pkeSize..<(pkeSize + ekSize)])
        let hash = Array(expanded[(pkeSize + ekSize)..<(pkeSize + ekSize + 32)])
        let z = Array(expanded[(pkeSize + ekSize + 32)...])
        return constantTimeEquals(ek, encapsulationKey)
            && constantTimeEquals(hash, Digest.hash(.sha3_256, encapsulationKey))
            && constantTimeEquals(z, Array(seed[32..<64]))
    }
}
