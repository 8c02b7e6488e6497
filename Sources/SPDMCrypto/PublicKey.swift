import COpenSSL

/// A public verification key of any SPDM algorithm (OpenSSL's, or ML-DSA through swift-crypto).
public struct PublicKey: Sendable {
    enum Storage: Sendable {
        case openSSL(PKeyHandle)
        case mlDsa(MLDSAVerifyingKey)
    }

    let storage: Storage

    /// The OpenSSL key, nil for ML-DSA.
    var handle: PKeyHandle? {
        if case .openSSL(let handle) = storage { return handle }
        return nil
    }

    /// Parses a DER SubjectPublicKeyInfo (what X.509 carries, and what SPDM's provisioned-public-key
    /// mode exchanges). ML-DSA keys use RFC 9881's form (see `PQCKeyEncoding`).
    public init(subjectPublicKeyInfoDER der: [UInt8]) throws {
        if let (algorithm, raw) = try PQCKeyEncoding.parseSubjectPublicKeyInfo(der) {
            guard case .mlDsa(let signature) = algorithm else {
                throw CryptoError("\(algorithm.displayName) is a key-encapsulation key, not a signature key")
            }
            storage = .mlDsa(try MLDSAVerifyingKey(signature, rawRepresentation: raw))
            return
        }
        let pkey: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_PUBKEY(nil, &cursor, raw.count)
        }
        guard let pkey else { throw CryptoError.openSSL("cannot parse SubjectPublicKeyInfo") }
        let handle = PKeyHandle(taking: pkey)
        storage = .openSSL(handle)
        guard handle.keyType != nil else {
            throw CryptoError("unsupported public key type (\(String(cString: EVP_PKEY_get0_type_name(pkey))))")
        }
    }

    /// Parses a PEM "PUBLIC KEY".
    public init(pem: String) throws {
        if let der = PEM.decode(pem, label: "PUBLIC KEY"), PQCKeyEncoding.isPostQuantumSubjectPublicKeyInfo(der) {
            self = try PublicKey(subjectPublicKeyInfoDER: der)
            return
        }
        let bio = try MemoryBIO(Array(pem.utf8))
        guard let pkey = PEM_read_bio_PUBKEY(bio.bio, nil, nil, nil) else {
            throw CryptoError.openSSL("cannot parse PEM public key")
        }
        let handle = PKeyHandle(taking: pkey)
        storage = .openSSL(handle)
        guard handle.keyType != nil else { throw CryptoError("unsupported public key type") }
    }

    /// An ML-DSA public key from its FIPS 204 encoding (1952 / 2592 bytes).
    public init(_ algorithm: PQCSignatureAlgorithm, rawRepresentation raw: [UInt8]) throws {
        storage = .mlDsa(try MLDSAVerifyingKey(algorithm, rawRepresentation: raw))
    }

    init(handle: PKeyHandle) { storage = .openSSL(handle) }

    init(mlDsa key: MLDSAVerifyingKey) { storage = .mlDsa(key) }

    public var keyType: KeyType {
        switch storage {
        case .openSSL(let handle): return handle.keyType!
        case .mlDsa(let key): return .mlDsa(key.algorithm)
        }
    }

    public var subjectPublicKeyInfoDER: [UInt8] {
        switch storage {
        case .mlDsa(let key):
            return PQCKeyEncoding.subjectPublicKeyInfo(.mlDsa(key.algorithm), publicKey: key.rawRepresentation)
        case .openSSL(let handle):
            var pointer: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(handle.pkey, &pointer)
            precondition(length > 0 && pointer != nil, "i2d_PUBKEY failed: \(OpenSSLErrorQueue.drain())")
            defer { spdm_openssl_free(pointer) }
            return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
        }
    }

    /// The FIPS 204 public key bytes of an ML-DSA key; nil for other keys.
    public var mlDsaRawRepresentation: [UInt8]? {
        if case .mlDsa(let key) = storage { return key.rawRepresentation }
        return nil
    }

    public func matches(_ algorithm: SignatureAlgorithm) -> Bool {
        handle?.keyType == algorithm.keyType
    }

    public func matches(_ algorithm: PQCSignatureAlgorithm) -> Bool {
        keyType == .mlDsa(algorithm)
    }

    /// Verifies an SPDM wire-format signature (same conventions as `PrivateKey.sign`).
    /// Returns false for a bad signature, a wrong size, or a key that does not fit `algorithm`.
    public func verify(_ algorithm: SignatureAlgorithm, hash: HashAlgorithm, message: [UInt8], signature: [UInt8]) -> Bool {
        Signer.verify(key: self, algorithm: algorithm, hash: hash, message: message, signature: signature, ed448Context: [])
    }

    /// As `verify(_:hash:message:signature:)` with an RFC 8032 Ed448 context string.
    public func verify(_ algorithm: SignatureAlgorithm, hash: HashAlgorithm, message: [UInt8], signature: [UInt8],
                       ed448Context: [UInt8]) -> Bool {
        Signer.verify(key: self, algorithm: algorithm, hash: hash, message: message, signature: signature,
                      ed448Context: ed448Context)
    }

    /// Verifies a pure ML-DSA signature of `message` under `context` (see `PQCSignatureAlgorithm` for
    /// what SPDM passes). False for a bad signature, a wrong size, or a key of another algorithm.
    public func verify(_ algorithm: PQCSignatureAlgorithm, message: [UInt8], signature: [UInt8], context: [UInt8]) -> Bool {
        guard case .mlDsa(let key) = storage, key.algorithm == algorithm else { return false }
        return key.isValid(signature: signature, message: message, context: context)
    }
}
