import COpenSSL

/// A private signing key of any SPDM algorithm: RSA, ECDSA P-256/384/521, Ed25519, Ed448 and SM2
/// through OpenSSL; ML-DSA-65/87 (SPDM 1.4 PqcAsymAlgo) through swift-crypto.
public struct PrivateKey: Sendable {
    /// Where the key lives.
    enum Storage: Sendable {
        case openSSL(PKeyHandle)
        case mlDsa(MLDSASigningKey)
        /// An OpenSSL key decoded on first use (DeferredPrivateKey.swift).
        case deferred(DeferredPrivateKey)
    }

    let storage: Storage

    init(handle: PKeyHandle) { storage = .openSSL(handle) }

    init(mlDsa key: MLDSASigningKey) { storage = .mlDsa(key) }

    /// The OpenSSL key, nil for ML-DSA.
    var handle: PKeyHandle? {
        switch storage {
        case .openSSL(let handle): return handle
        case .deferred(let deferred): return deferred.handle
        case .mlDsa: return nil
        }
    }

    /// A PEM key (as `init(pem:)` reads) that an earlier check showed to decode to a key of
    /// `keyType`, decoded only when first used. A text that no longer decodes then signs nothing
    /// (signing throws). nil for ML-DSA key types, which `init(pem:)` takes.
    public init?(checkedPEM pem: String, keyType: KeyType) {
        if case .mlDsa = keyType { return nil }
        storage = .deferred(DeferredPrivateKey(pem: Array(pem.utf8), keyType: keyType))
    }

    /// An ML-DSA key from its 32-byte seed ξ (FIPS 204 ML-DSA.KeyGen_internal).
    public init(_ algorithm: PQCSignatureAlgorithm, seed: [UInt8]) throws {
        storage = .mlDsa(try MLDSASigningKey(algorithm, seed: seed))
    }

    /// Parses a PEM private key: PKCS#8 ("PRIVATE KEY", ML-DSA included) or traditional
    /// ("RSA/EC PRIVATE KEY"). Encrypted keys are not supported.
    public init(pem: String) throws {
        if var der = PEM.decode(pem, label: "PRIVATE KEY") {
            defer { secureZero(&der) }
            if let key = try Self.postQuantum(pkcs8: der) {
                self = key
                return
            }
            if let handle = Self.typedPKCS8(der) {
                self.init(handle: handle)
                return
            }
        }
        let bio = try MemoryBIO(Array(pem.utf8))
        guard let pkey = PEM_read_bio_PrivateKey(bio.bio, nil, nil, nil) else {
            throw CryptoError.openSSL("cannot parse PEM private key")
        }
        self.init(handle: PKeyHandle(taking: pkey))
        try requireSupportedType()
    }

    /// Parses a DER private key (PKCS#8 PrivateKeyInfo, ML-DSA included, or a traditional RSA/EC structure).
    public init(der: [UInt8]) throws {
        if let key = try Self.postQuantum(pkcs8: der) {
            self = key
            return
        }
        let pkey: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_AutoPrivateKey(nil, &cursor, raw.count)
        }
        guard let pkey else { throw CryptoError.openSSL("cannot parse DER private key") }
        self.init(handle: PKeyHandle(taking: pkey))
        try requireSupportedType()
    }

    /// A PKCS#8 RSA, ECDSA P-256/384/521, Ed25519 or Ed448 key, decoded with its key type named up
    /// front: OpenSSL 3's generic decoding (PEM_read_bio_PrivateKey, d2i_AutoPrivateKey) tries its
    /// provider decoders one after another and costs about five times as much, which a daemon
    /// loading thousands of device keys at start feels. nil for anything else (SM2 keys, whose
    /// curve OpenSSL gives a key type of its own, malformed or trailing bytes): the generic path
    /// then decides.
    private static func typedPKCS8(_ der: [UInt8]) -> PKeyHandle? {
        guard let oid = PQCKeyEncoding.algorithmIdentifier(of: der, isPrivate: true) else { return nil }
        let type: Int32
        switch oid {
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]: type = EVP_PKEY_EC                    // id-ecPublicKey
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]: type = EVP_PKEY_RSA       // rsaEncryption
        case [0x2B, 0x65, 0x70]: type = EVP_PKEY_ED25519                                     // id-Ed25519
        case [0x2B, 0x65, 0x71]: type = EVP_PKEY_ED448                                       // id-Ed448
        default: return nil
        }
        var consumed = 0
        let pkey: OpaquePointer? = der.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            let parsed = d2i_PrivateKey(type, nil, &cursor, raw.count)
            consumed = cursor.map { $0 - base } ?? 0
            return parsed
        }
        guard let pkey else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        let handle = PKeyHandle(taking: pkey)
        switch handle.keyType {
        case .ec?, .rsa?, .ed25519?, .ed448?:
            return consumed == der.count ? handle : nil
        default:
            return nil
        }
    }

    /// An ML-DSA key from PKCS#8 (see `PQCKeyEncoding`); nil when `der` holds another algorithm.
    private static func postQuantum(pkcs8 der: [UInt8]) throws -> PrivateKey? {
        guard var info = try PQCKeyEncoding.parsePrivateKeyInfo(der) else { return nil }
        defer { secureZero(&info.seed) }
        guard case .mlDsa(let algorithm) = info.algorithm else {
            throw CryptoError("\(info.algorithm.displayName) is a key-encapsulation key, not a signing key (use KEMKeyPair)")
        }
        let key = try MLDSASigningKey(algorithm, seed: info.seed)
        let publicKey = key.publicKey.rawRepresentation
        if let expanded = info.expandedKey, !PQCKeyEncoding.expandedMLDSAKeyMatches(expanded, publicKey: publicKey) {
            throw CryptoError("\(algorithm.displayName) private key: the expanded key does not belong to the seed")
        }
        if let stated = info.publicKey, stated != publicKey {
            throw CryptoError("\(algorithm.displayName) private key: the public key does not belong to the seed")
        }
        return PrivateKey(mlDsa: key)
    }

    private func requireSupportedType() throws {
        guard let handle, handle.keyType != nil else {
            let name = handle.map { String(cString: EVP_PKEY_get0_type_name($0.pkey)) } ?? "?"
            throw CryptoError("unsupported private key type (\(name))")
        }
    }

    /// The key family and size.
    public var keyType: KeyType {
        switch storage {
        case .openSSL(let handle): return handle.keyType!
        case .mlDsa(let key): return .mlDsa(key.algorithm)
        case .deferred(let deferred): return deferred.keyType
        }
    }

    /// Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), for persisting generated keys.
    /// ML-DSA keys are written in the seed form (RFC 9881), as Python `cryptography` writes them.
    public var pkcs8PEM: String {
        if case .mlDsa = storage {
            var der = pkcs8DER
            defer { secureZero(&der) }
            return PEM.encode(der, label: "PRIVATE KEY")
        }
        do {
            let bio = try MemoryBIO(secure: true)
            guard PEM_write_bio_PKCS8PrivateKey(bio.bio, handle?.pkey, nil, nil, 0, nil, nil) == 1 else {
                throw CryptoError.openSSL("PEM_write_bio_PKCS8PrivateKey failed")
            }
            return String(decoding: bio.contents, as: UTF8.self)
        } catch {
            preconditionFailure("cannot serialize private key: \(error)")
        }
    }

    /// Unencrypted PKCS#8 DER (PrivateKeyInfo). The caller should `secureZero` it after use.
    public var pkcs8DER: [UInt8] {
        switch storage {
        case .mlDsa(let key):
            return key.withSeed { PQCKeyEncoding.privateKeyInfo(.mlDsa(key.algorithm), seed: $0) }
        case .openSSL, .deferred:
            do {
                let bio = try MemoryBIO(secure: true)
                guard i2d_PKCS8PrivateKey_bio(bio.bio, handle?.pkey, nil, nil, 0, nil, nil) == 1 else {
                    throw CryptoError.openSSL("i2d_PKCS8PrivateKey_bio failed")
                }
                return bio.contents
            } catch {
                preconditionFailure("cannot serialize private key: \(error)")
            }
        }
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        switch storage {
        case .mlDsa(let key):
            return PublicKey(mlDsa: key.publicKey)
        case .openSSL, .deferred:
            // Round-trip through SubjectPublicKeyInfo so the public key holds no private material.
            var pointer: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(handle?.pkey, &pointer)
            precondition(length > 0 && pointer != nil, "i2d_PUBKEY failed: \(OpenSSLErrorQueue.drain())")
            defer { spdm_openssl_free(pointer) }
            let der = Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
            do { return try PublicKey(subjectPublicKeyInfoDER: der) } catch {
                preconditionFailure("cannot re-parse own public key: \(error)")
            }
        }
    }

    /// True when the key's type and size fit `algorithm` (e.g. a P-384 key for ecdsaP384;
    /// an RSA-3072 key for rsassa3072 and rsapss3072). Always false for ML-DSA keys.
    public func matches(_ algorithm: SignatureAlgorithm) -> Bool {
        keyType == algorithm.keyType
    }

    /// True for an ML-DSA key of exactly `algorithm`'s parameter set.
    public func matches(_ algorithm: PQCSignatureAlgorithm) -> Bool {
        keyType == .mlDsa(algorithm)
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

    /// Pure ML-DSA signature (FIPS 204 ML-DSA.Sign, hedged) of `message` under `context` (0-255 bytes).
    /// For SPDM 1.4 pass M = combined_spdm_prefix || Hash(transcript) as `message` and the signing
    /// context string ("responder-challenge_auth signing", ...) as `context`: see `PQCSignatureAlgorithm`.
    /// Throws when the key is not an `algorithm` key.
    public func sign(_ algorithm: PQCSignatureAlgorithm, message: [UInt8], context: [UInt8]) throws -> [UInt8] {
        guard case .mlDsa(let key) = storage, key.algorithm == algorithm else {
            throw CryptoError("\(keyType) key cannot sign \(algorithm.displayName)")
        }
        return try key.sign(message: message, context: context)
    }
}
