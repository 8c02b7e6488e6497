import COpenSSL

/// A public verification key of any SPDM algorithm.
public struct PublicKey: Sendable {
    let handle: PKeyHandle

    /// Parses a DER SubjectPublicKeyInfo (what X.509 carries, and what SPDM's provisioned-public-key
    /// mode exchanges).
    public init(subjectPublicKeyInfoDER der: [UInt8]) throws {
        let pkey: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_PUBKEY(nil, &cursor, raw.count)
        }
        guard let pkey else { throw CryptoError.openSSL("cannot parse SubjectPublicKeyInfo") }
        handle = PKeyHandle(taking: pkey)
        guard handle.keyType != nil else {
            throw CryptoError("unsupported public key type (\(String(cString: EVP_PKEY_get0_type_name(pkey))))")
        }
    }

    /// Parses a PEM "PUBLIC KEY".
    public init(pem: String) throws {
        let bio = try MemoryBIO(Array(pem.utf8))
        guard let pkey = PEM_read_bio_PUBKEY(bio.bio, nil, nil, nil) else {
            throw CryptoError.openSSL("cannot parse PEM public key")
        }
        handle = PKeyHandle(taking: pkey)
        guard handle.keyType != nil else { throw CryptoError("unsupported public key type") }
    }

    init(handle: PKeyHandle) { self.handle = handle }

    public var keyType: KeyType { handle.keyType! }

    public var subjectPublicKeyInfoDER: [UInt8] {
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(handle.pkey, &pointer)
        precondition(length > 0 && pointer != nil, "i2d_PUBKEY failed: \(OpenSSLErrorQueue.drain())")
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }

    public func matches(_ algorithm: SignatureAlgorithm) -> Bool {
        handle.keyType == algorithm.keyType
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
}
