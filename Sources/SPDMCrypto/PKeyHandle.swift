import COpenSSL

/// Owns one `EVP_PKEY`. The key is never mutated after construction, and OpenSSL 3 allows
/// concurrent use of one EVP_PKEY from several threads, each with its own operation context.
final class PKeyHandle: @unchecked Sendable {
    let pkey: OpaquePointer
    /// What kind of key this is, or nil for key types SPDM does not use. Read once when the handle
    /// is made: every signature and every served slot asks, and OpenSSL answers by name lookups.
    let keyType: KeyType?

    init(taking pkey: OpaquePointer) {
        self.pkey = pkey
        self.keyType = Self.keyType(of: pkey)
    }

    deinit { EVP_PKEY_free(pkey) }

    private static func keyType(of pkey: OpaquePointer) -> KeyType? {
        if EVP_PKEY_is_a(pkey, "SM2") == 1 { return .sm2 }
        if EVP_PKEY_is_a(pkey, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(pkey, "ED448") == 1 { return .ed448 }
        if EVP_PKEY_is_a(pkey, "RSA") == 1 || EVP_PKEY_is_a(pkey, "RSA-PSS") == 1 {
            return .rsa(bits: Int(EVP_PKEY_get_bits(pkey)))
        }
        if EVP_PKEY_is_a(pkey, "EC") == 1 {
            switch groupName(of: pkey) {
            case "prime256v1", "P-256", "secp256r1": return .ec(.p256)
            case "secp384r1", "P-384": return .ec(.p384)
            case "secp521r1", "P-521": return .ec(.p521)
            case "SM2": return .sm2
            default: return nil
            }
        }
        return nil
    }

    /// The EC group name ("prime256v1", "SM2", ...), or nil for non-EC keys.
    var groupName: String? { Self.groupName(of: pkey) }

    private static func groupName(of pkey: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pkey, "group", &buffer, buffer.count, &length) == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Owns one memory `BIO`.
final class MemoryBIO {
    let bio: OpaquePointer

    /// An empty, writable memory BIO; `secure` uses a buffer that is cleansed when freed.
    init(secure: Bool = false) throws {
        guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else {
            throw CryptoError.openSSL("BIO_new failed")
        }
        self.bio = bio
    }

    /// A BIO holding a copy of `bytes` (read-only use).
    convenience init(_ bytes: [UInt8]) throws {
        try self.init(secure: true)
        let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        guard written == bytes.count || bytes.isEmpty else { throw CryptoError.openSSL("BIO_write failed") }
    }

    deinit { BIO_free(bio) }

    /// Everything written so far.
    var contents: [UInt8] {
        var pointer: UnsafeMutablePointer<CChar>?
        let length = spdm_bio_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
    }
}
