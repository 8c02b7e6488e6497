import COpenSSL

/// The AEAD cipher suites SPDM negotiates (DSP0274 Table "AEAD structure") as DSP0277 uses them:
/// 96-bit IV, 128-bit tag. Tag verification is OpenSSL's (EVP_DecryptFinal_ex), never a byte compare here.
public enum AEADAlgorithm: String, Sendable, Hashable, CaseIterable {
    case aes128GCM, aes256GCM, chacha20Poly1305

    public var keySize: Int {
        switch self {
        case .aes128GCM: return 16
        case .aes256GCM, .chacha20Poly1305: return 32
        }
    }

    public var ivSize: Int { 12 }
    public var tagSize: Int { 16 }

    var cipher: OpaquePointer {
        let cipher: OpaquePointer?
        switch self {
        case .aes128GCM: cipher = EVP_aes_128_gcm()
        case .aes256GCM: cipher = EVP_aes_256_gcm()
        case .chacha20Poly1305: cipher = EVP_chacha20_poly1305()
        }
        guard let cipher else { preconditionFailure("OpenSSL lacks \(self)") }
        return cipher
    }
}

/// Authenticated encryption with associated data.
public enum AEAD {
    /// Encrypts `plaintext` and authenticates it together with `aad`; returns ciphertext || tag.
    /// An empty plaintext gives just the tag (a MAC over `aad`, DSP0277 MAC-only sessions).
    public static func seal(_ algorithm: AEADAlgorithm, key: [UInt8], iv: [UInt8], aad: [UInt8],
                            plaintext: [UInt8]) throws -> [UInt8] {
        try check(algorithm, key: key, iv: iv)
        let ctx = try CipherContext()
        guard EVP_EncryptInit_ex(ctx.ctx, algorithm.cipher, nil, nil, nil) == 1,
              EVP_EncryptInit_ex(ctx.ctx, nil, nil, key, iv) == 1 else {
            throw CryptoError.openSSL("AEAD encrypt init (\(algorithm)) failed")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(ctx.ctx, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw CryptoError.openSSL("AEAD AAD failed")
            }
        }
        var out = [UInt8](repeating: 0, count: plaintext.count + algorithm.tagSize)
        var written = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(ctx.ctx, &out, &length, plaintext, Int32(plaintext.count)) == 1 else {
                throw CryptoError.openSSL("AEAD encrypt failed")
            }
            written = Int(length)
        }
        let finalOK = out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(ctx.ctx, buffer.baseAddress! + written, &length)
        }
        guard finalOK == 1 else { throw CryptoError.openSSL("AEAD encrypt final failed") }
        written += Int(length)
        precondition(written == plaintext.count)
        let tagOK = out.withUnsafeMutableBufferPointer { buffer in
            EVP_CIPHER_CTX_ctrl(ctx.ctx, EVP_CTRL_AEAD_GET_TAG, Int32(algorithm.tagSize), buffer.baseAddress! + written)
        }
        guard tagOK == 1 else { throw CryptoError.openSSL("AEAD get tag failed") }
        return out
    }

    /// Verifies and decrypts ciphertext || tag. Throws `AEADAuthenticationError` when the tag does not verify.
    public static func open(_ algorithm: AEADAlgorithm, key: [UInt8], iv: [UInt8], aad: [UInt8],
                            sealed: [UInt8]) throws -> [UInt8] {
        try check(algorithm, key: key, iv: iv)
        guard sealed.count >= algorithm.tagSize else { throw AEADAuthenticationError() }
        let ciphertext = Array(sealed.dropLast(algorithm.tagSize))
        var tag = Array(sealed.suffix(algorithm.tagSize))
        let ctx = try CipherContext()
        guard EVP_DecryptInit_ex(ctx.ctx, algorithm.cipher, nil, nil, nil) == 1,
              EVP_DecryptInit_ex(ctx.ctx, nil, nil, key, iv) == 1 else {
            throw CryptoError.openSSL("AEAD decrypt init (\(algorithm)) failed")
        }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(ctx.ctx, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw CryptoError.openSSL("AEAD AAD failed")
            }
        }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var written = 0
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(ctx.ctx, &out, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
                throw CryptoError.openSSL("AEAD decrypt failed")
            }
            written = Int(length)
        }
        guard EVP_CIPHER_CTX_ctrl(ctx.ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag) == 1 else {
            throw CryptoError.openSSL("AEAD set tag failed")
        }
        let finalOK = out.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(ctx.ctx, buffer.baseAddress! + written, &length)
        }
        guard finalOK == 1 else {
            secureZero(&out)
            OpenSSLErrorQueue.clear()
            throw AEADAuthenticationError()
        }
        written += Int(length)
        return Array(out.prefix(written))
    }

    private static func check(_ algorithm: AEADAlgorithm, key: [UInt8], iv: [UInt8]) throws {
        guard key.count == algorithm.keySize else { throw CryptoError("\(algorithm) key of \(key.count) bytes") }
        guard iv.count == algorithm.ivSize else { throw CryptoError("\(algorithm) IV of \(iv.count) bytes") }
    }
}

/// The AEAD tag did not verify: the record was forged, corrupted or sent under another key.
public struct AEADAuthenticationError: Error, Equatable, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "AEAD authentication failed" }
}

/// Owns one `EVP_CIPHER_CTX`.
final class CipherContext {
    let ctx: OpaquePointer
    init() throws {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new failed") }
        self.ctx = ctx
    }
    deinit { EVP_CIPHER_CTX_free(ctx) }
}
