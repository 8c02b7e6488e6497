import COpenSSL

/// A private signing key of any SPDM algorithm (RSA, ECDSA P-256/384/521, Ed25519, Ed448, SM2).
public struct PrivateKey: Sendable {
    let handle: PKeyHandle

    init(handle: PKeyHandle) { self.handle = handle }

    /// Parses a PEM private key: PKCS#8 ("PRIVATE KEY") or traditional ("RSA/EC PRIVATE KEY").
    /// Encrypted keys are not supported.
    public init(pem: String) throws {
        let bio = try MemoryBIO(Array(pem.utf8))
        guard let pkey = PEM_read_bio_PrivateKey(bio.bio, nil, nil, nil) else {
            throw CryptoError.openSSL("cannot parse PEM private key")
        }
        self.init(handle: PKeyHandle(taking: pkey))
        try requireSupportedType()
    }

    /// Parses a DER private key (PKCS#8 PrivateKeyInfo or a traditional RSA/EC structure).
    public init(der: [UInt8]) throws {
        let pkey: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_AutoPrivateKey(nil, &cursor, raw.count)
        }
        guard let pkey else { throw CryptoError.openSSL("cannot parse DER private key") }
        self.init(handle: PKeyHandle(taking: pkey))
        try requireSupportedType()
    }

    private func requireSupportedType() throws {
        guard handle.keyType != nil else {
            throw CryptoError("unsupported private key type (\(String(cString: EVP_PKEY_get0_type_name(handle.pkey))))")
        }
    }

    /// The key family and size.
    public var keyType: KeyType { handle.keyType! }

    /// Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), for persisting generated keys.
    public var pkcs8PEM: String {
        do {
            let bio = try MemoryBIO(secure: true)
            guard PEM_write_bio_PKCS8PrivateKey(bio.bio, handle.pkey, nil, nil, 0, nil, nil) == 1 else {
                throw CryptoError.openSSL("PEM_write_bio_PKCS8PrivateKey failed")
            }
            return String(decoding: bio.contents, as: UTF8.self)
        } catch {
            preconditionFailure("cannot serialize private key: \(error)")
        }
    }

    /// Unencrypted PKCS#8 DER (PrivateKeyInfo). The caller should `secureZero` it after use.
    public var pkcs8DER: [UInt8] {
        do {
            let bio = try MemoryBIO(secure: true)
            guard i2d_PKCS8PrivateKey_bio(bio.bio, handle.pkey, nil, nil, 0, nil, nil) == 1 else {
                throw CryptoError.openSSL("i2d_PKCS8PrivateKey_bio failed")
            }
            return bio.contents
        } catch {
            preconditionFailure("cannot serialize private key: \(error)")
        }
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        // Round-trip through SubjectPublicKeyInfo so the public key holds no private material.
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(handle.pkey, &pointer)
        precondition(length > 0 && pointer != nil, "i2d_PUBKEY failed: \(OpenSSLErrorQueue.drain())")
        defer { spdm_openssl_free(pointer) }
        let der = Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
        do { return try PublicKey(subjectPublicKeyInfoDER: der) } catch {
            preconditionFailure("cannot re-parse own public key: \(error)")
        }
    }

    /// True when the key's type and size fit `algorithm` (e.g. a P-384 key for ecdsaP384;
    /// an RSA-3072 key for rsassa3072 and rsapss3072).
    public func matches(_ algorithm: SignatureAlgorithm) -> Bool {
        handle.keyType == algorithm.keyType
    }

    /// Signs `message` the way DSP0274 wants on the wire (see `Signer`): RSASSA = PKCS#1 v1.5 over
    /// hash(message); RSAPSS = PSS, salt length = hash size, MGF1 with the same hash; ECDSA over
    /// hash(message) as r||s; EdDSA = pure Ed25519/Ed448 over message (hash ignored); SM2 = SM2 with
    /// SM3 and an empty distinguishing ID (as libspdm does), r||s.
    /// The caller builds `message` (for SPDM 1.2+: combined_spdm_prefix || hash(transcript)).
    public func sign(_ algorithm: SignatureAlgorithm, hash: HashAlgorithm, message: [UInt8]) throws -> [UInt8] {
        try Signer.sign(key: self, algorithm: algorithm, hash: hash, message: message, ed448Context: [])
    }

    /// As `sign(_:hash:message:)`, with an RFC 8032 Ed448 context string. libspdm passes the SPDM
    /// signing context string (e.g. "responder-challenge_auth signing") as the Ed448 context for
    /// SPDM 1.2+. Requires an OpenSSL whose Ed448 accepts "context-string" (3.2+); throws otherwise
    /// when the context is non-empty. Ignored for other algorithms.
    public func sign(_ algorithm: SignatureAlgorithm, hash: HashAlgorithm, message: [UInt8],
                     ed448Context: [UInt8]) throws -> [UInt8] {
        try Signer.sign(key: self, algorithm: algorithm, hash: hash, message: message, ed448Context: ed448Context)
    }
}
