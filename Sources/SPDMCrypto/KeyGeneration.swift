import COpenSSL

extension PrivateKey {
    /// Generates a fresh key for `algorithm` (RSA 2048/3072/4096 with e = 65537; NIST P-256/384/521;
    /// Ed25519; Ed448; SM2 on the SM2 curve).
    public static func generate(_ algorithm: SignatureAlgorithm) throws -> PrivateKey {
        try generate(keyType: algorithm.keyType)
    }

    /// Generates a fresh ML-DSA key (FIPS 204 ML-DSA.KeyGen, through swift-crypto).
    public static func generate(_ algorithm: PQCSignatureAlgorithm) throws -> PrivateKey {
        PrivateKey(mlDsa: try MLDSASigningKey.generate(algorithm))
    }

    /// Generates a fresh key of `type`.
    public static func generate(keyType type: KeyType) throws -> PrivateKey {
        let name: String
        switch type {
        case .mlDsa(let algorithm): return try generate(algorithm)
        case .rsa: name = "RSA"
        case .ec: name = "EC"
        case .ed25519: name = "ED25519"
        case .ed448: name = "ED448"
        case .sm2: name = "SM2"
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name(\(name)) failed")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_keygen_init(\(name)) failed") }
        switch type {
        case .rsa(let bits):
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1 else {
                throw CryptoError.openSSL("cannot set RSA key size \(bits)")
            }
        case .ec(let curve):
            guard EVP_PKEY_CTX_set_group_name(ctx, curve.rawValue) == 1 else {
                throw CryptoError.openSSL("cannot set EC group \(curve.rawValue)")
            }
        case .sm2:
            guard EVP_PKEY_CTX_set_group_name(ctx, "SM2") == 1 else {
                throw CryptoError.openSSL("cannot set SM2 group")
            }
        case .ed25519, .ed448, .mlDsa:
            break
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else {
            throw CryptoError.openSSL("key generation (\(type)) failed")
        }
        return PrivateKey(handle: PKeyHandle(taking: pkey))
    }
}
