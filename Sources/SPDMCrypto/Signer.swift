import COpenSSL

/// The one place that maps (SignatureAlgorithm, HashAlgorithm) onto OpenSSL's EVP_DigestSign /
/// EVP_DigestVerify, following DSP0274 "Signature generation" and the encodings of its
/// BaseAsymAlgo table (which libspdm implements the same way).
enum Signer {
    /// SM2 distinguishing ID (GB/T 32918.2 "ID_A"). libspdm passes an empty ID for SPDM, and
    /// OpenSSL before 4.0 uses an empty ID by default; we set it explicitly so a later OpenSSL
    /// (whose default is "1234567812345678") still interoperates.
    static let sm2DistinguishingID: [UInt8] = []

    static func sign(key: PrivateKey, algorithm: SignatureAlgorithm, hash: HashAlgorithm,
                     message: [UInt8], ed448Context: [UInt8]) throws -> [UInt8] {
        guard key.matches(algorithm) else {
            throw CryptoError("\(key.keyType) key cannot sign \(algorithm.rawValue)")
        }
        guard let handle = key.handle else { throw CryptoError("\(key.keyType) key cannot sign \(algorithm.rawValue)") }
        let (digestName, params) = try configuration(algorithm, hash: hash, ed448Context: ed448Context)
        let context = try DigestSignContext()
        guard context.initialize(sign: true, digestName: digestName, key: handle, params: params) else {
            throw CryptoError.openSSL("EVP_DigestSignInit_ex(\(algorithm.rawValue), \(hash.rawValue)) failed")
        }

        var length = 0
        let raw: [UInt8] = try message.withUnsafeBytes { input in
            let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard EVP_DigestSign(context.ctx, nil, &length, base, input.count) == 1 else {
                throw CryptoError.openSSL("EVP_DigestSign (size query) failed")
            }
            var out = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context.ctx, &out, &length, base, input.count) == 1 else {
                throw CryptoError.openSSL("EVP_DigestSign(\(algorithm.rawValue)) failed")
            }
            return Array(out.prefix(length))
        }

        switch algorithm {
        case .ecdsaP256, .ecdsaP384, .ecdsaP521, .sm2:
            // DSP0274: ECDSA/SM2 signatures are r||s, each big-endian, padded to the coordinate size.
            return try ECDSASignatureEncoding.rawFromDER(raw, coordinateSize: algorithm.signatureSize / 2)
        default:
            guard raw.count == algorithm.signatureSize else {
                throw CryptoError("\(algorithm.rawValue) produced \(raw.count) bytes, expected \(algorithm.signatureSize)")
            }
            return raw
        }
    }

    static func verify(key: PublicKey, algorithm: SignatureAlgorithm, hash: HashAlgorithm,
                       message: [UInt8], signature: [UInt8], ed448Context: [UInt8]) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard key.matches(algorithm), let handle = key.handle, signature.count == algorithm.signatureSize,
              let (digestName, params) = try? configuration(algorithm, hash: hash, ed448Context: ed448Context),
              let context = try? DigestSignContext() else { return false }

        let encoded: [UInt8]
        switch algorithm {
        case .ecdsaP256, .ecdsaP384, .ecdsaP521, .sm2:
            guard let der = try? ECDSASignatureEncoding.derFromRaw(signature) else { return false }
            encoded = der
        default:
            encoded = signature
        }

        guard context.initialize(sign: false, digestName: digestName, key: handle, params: params) else { return false }
        let result = message.withUnsafeBytes { input in
            encoded.withUnsafeBytes { sig in
                EVP_DigestVerify(context.ctx,
                                 sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                                 input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        return result == 1
    }

    /// The digest name and signature parameters for one algorithm/hash pair.
    private static func configuration(_ algorithm: SignatureAlgorithm, hash: HashAlgorithm,
                                      ed448Context: [UInt8]) throws -> (String?, OSSLParams) {
        let params = OSSLParams()
        switch algorithm {
        case .rsassa2048, .rsassa3072, .rsassa4096:
            // TPM_ALG_RSASSA: RSASSA-PKCS1-v1_5 (RFC 8017) over hash(message).
            // (OpenSSL 3.0 refuses SM3 with RSA: "digest not allowed"; that surfaces as a CryptoError.)
            params.utf8("pad-mode", "pkcs1")
            return (hash.openSSLName, params)
        case .rsapss2048, .rsapss3072, .rsapss4096:
            // TPM_ALG_RSAPSS: RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
            params.utf8("pad-mode", "pss")
            params.utf8("mgf1-digest", hash.openSSLName)
            params.utf8("saltlen", "digest")
            return (hash.openSSLName, params)
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            return (hash.openSSLName, params)
        case .ed25519:
            // Pure Ed25519 over the message; the negotiated hash does not apply.
            return (nil, params)
        case .ed448:
            if !ed448Context.isEmpty {
                guard Ed448ContextSupport.available else {
                    throw CryptoError("this OpenSSL (\(OpenSSLVersion.text)) cannot sign or verify Ed448 with a context string (needs 3.2+)")
                }
                params.octets("context-string", ed448Context)
            }
            return (nil, params)
        case .sm2:
            // SM2 signatures always digest with SM3 (GB/T 32918.2); libspdm rejects other hashes.
            guard hash == .sm3_256 else {
                throw CryptoError("SM2 signatures require SM3-256, not \(hash.rawValue)")
            }
            params.octets("distid", sm2DistinguishingID)
            return ("SM3", params)
        }
    }
}

/// Owns an `EVP_MD_CTX` used for one DigestSign/DigestVerify operation.
final class DigestSignContext {
    let ctx: OpaquePointer

    init() throws {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new failed") }
        self.ctx = ctx
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// EVP_DigestSignInit_ex / EVP_DigestVerifyInit_ex, then the algorithm parameters. Parameters go
    /// on after init: OpenSSL 3.0's SM2 accepts "distid" only once the digest is set up.
    func initialize(sign: Bool, digestName: String?, key: PKeyHandle, params: OSSLParams) -> Bool {
        var pkeyContext: OpaquePointer?
        let initialized = sign
            ? EVP_DigestSignInit_ex(ctx, &pkeyContext, digestName, nil, nil, key.pkey, nil)
            : EVP_DigestVerifyInit_ex(ctx, &pkeyContext, digestName, nil, nil, key.pkey, nil)
        guard initialized == 1, let pkeyContext else { return false }
        guard !params.isEmpty else { return true }
        return params.withParams { EVP_PKEY_CTX_set_params(pkeyContext, $0) } == 1
    }
}

/// Whether the linked OpenSSL's Ed448 signature accepts an RFC 8032 context ("context-string").
enum Ed448ContextSupport {
    static let available: Bool = {
        guard let signature = EVP_SIGNATURE_fetch(nil, "ED448", nil) else {
            OpenSSLErrorQueue.clear()
            return false
        }
        defer { EVP_SIGNATURE_free(signature) }
        guard let settable = EVP_SIGNATURE_settable_ctx_params(signature) else { return false }
        return OSSL_PARAM_locate_const(settable, "context-string") != nil
    }()
}

enum OpenSSLVersion {
    static var text: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}
