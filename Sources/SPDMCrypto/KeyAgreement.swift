import COpenSSL

/// The DHE groups SPDM negotiates (DSP0274 Table "DHE structure"): RFC 7919 FFDHE groups and the
/// NIST prime curves.
///
/// Exchange data on the wire (DSP0274 "KEY_EXCHANGE", libspdm agrees):
///   FFDHE: the public value Y, big-endian, left-padded to the size of p (256/384/512 bytes)
///   ECDHE: X || Y, each coordinate big-endian and padded to the field size (64/96/132 bytes)
/// Shared secret:
///   FFDHE: Z big-endian, left-padded to the size of p
///   ECDHE: the X coordinate of the shared point, padded to the field size
public enum DHEGroup: String, Sendable, Hashable, CaseIterable {
    case ffdhe2048, ffdhe3072, ffdhe4096, secp256r1, secp384r1, secp521r1

    /// Size of the exchange data (public key) on the wire.
    public var exchangeDataSize: Int {
        switch self {
        case .ffdhe2048: return 256
        case .ffdhe3072: return 384
        case .ffdhe4096: return 512
        case .secp256r1: return 64
        case .secp384r1: return 96
        case .secp521r1: return 132
        }
    }

    /// Size of the shared secret.
    public var sharedSecretSize: Int {
        isEC ? exchangeDataSize / 2 : exchangeDataSize
    }

    var isEC: Bool {
        switch self {
        case .secp256r1, .secp384r1, .secp521r1: return true
        default: return false
        }
    }

    var keyTypeName: String { isEC ? "EC" : "DH" }

    var groupName: String {
        switch self {
        case .ffdhe2048: return "ffdhe2048"
        case .ffdhe3072: return "ffdhe3072"
        case .ffdhe4096: return "ffdhe4096"
        case .secp256r1: return "P-256"
        case .secp384r1: return "P-384"
        case .secp521r1: return "P-521"
        }
    }
}

/// An ephemeral DHE key pair. Generate one per KEY_EXCHANGE, send `exchangeData`, then derive the
/// shared secret from the peer's exchange data.
public struct DHEKeyPair: Sendable {
    public let group: DHEGroup
    let handle: PKeyHandle

    /// Generates a fresh ephemeral key in `group`.
    public init(group: DHEGroup) throws {
        self.group = group
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, group.keyTypeName, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name(\(group.keyTypeName)) failed")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_keygen_init failed") }
        let params = OSSLParams()
        params.utf8("group", group.groupName)
        guard params.withParams({ EVP_PKEY_CTX_set_params(ctx, $0) }) == 1 else {
            throw CryptoError.openSSL("setting DHE group \(group.groupName) failed")
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else {
            throw CryptoError.openSSL("DHE key generation (\(group)) failed")
        }
        self.handle = PKeyHandle(taking: pkey)
    }

    /// The public key as SPDM exchange data (see `DHEGroup`).
    public var exchangeData: [UInt8] {
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = EVP_PKEY_get1_encoded_public_key(handle.pkey, &pointer)
        precondition(length > 0 && pointer != nil, "encoding a DHE public key failed: \(OpenSSLErrorQueue.drain())")
        defer { spdm_openssl_free(pointer) }
        var encoded = Array(UnsafeBufferPointer(start: pointer, count: length))
        if group.isEC {
            // Uncompressed point: 0x04 || X || Y.
            precondition(encoded.first == 0x04 && encoded.count == group.exchangeDataSize + 1)
            encoded.removeFirst()
        }
        return Self.leftPad(encoded, to: group.exchangeDataSize)
    }

    /// Derives the shared secret with the peer's exchange data. Throws when the peer's value is
    /// malformed or not a valid public key of the group.
    public func sharedSecret(peerExchangeData peer: [UInt8]) throws -> [UInt8] {
        guard peer.count == group.exchangeDataSize else {
            throw CryptoError("DHE exchange data of \(peer.count) bytes, expected \(group.exchangeDataSize)")
        }
        let peerKey = try Self.publicKey(group: group, encoded: group.isEC ? [0x04] + peer : peer)
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, handle.pkey, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey failed")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_derive_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_derive_init failed") }
        guard EVP_PKEY_derive_set_peer(ctx, peerKey.pkey) == 1 else {
            throw CryptoError.openSSL("the peer's DHE public key was rejected")
        }
        var length = 0
        guard EVP_PKEY_derive(ctx, nil, &length) == 1 else { throw CryptoError.openSSL("EVP_PKEY_derive (size) failed") }
        var secret = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_derive(ctx, &secret, &length) == 1 else { throw CryptoError.openSSL("EVP_PKEY_derive failed") }
        secret.removeSubrange(length...)
        defer { secureZero(&secret) }
        guard secret.count <= group.sharedSecretSize else { throw CryptoError("DHE shared secret too long") }
        return Self.leftPad(secret, to: group.sharedSecretSize)
    }

    /// A public key of `group` from its OpenSSL encoding (EC: uncompressed point; DH: big-endian Y).
    static func publicKey(group: DHEGroup, encoded: [UInt8]) throws -> PKeyHandle {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, group.keyTypeName, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name failed")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_fromdata_init(ctx) == 1 else { throw CryptoError.openSSL("EVP_PKEY_fromdata_init failed") }
        let params = OSSLParams()
        params.utf8("group", group.groupName)
        var pkey: OpaquePointer?
        // EVP_PKEY_KEY_PARAMETERS = OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS
        let selection: Int32 = 0x04 | 0x80
        guard params.withParams({ EVP_PKEY_fromdata(ctx, &pkey, selection, $0) }) == 1, let pkey else {
            throw CryptoError.openSSL("building \(group) domain parameters failed")
        }
        let handle = PKeyHandle(taking: pkey)
        let ok = encoded.withUnsafeBufferPointer { EVP_PKEY_set1_encoded_public_key(pkey, $0.baseAddress, $0.count) }
        guard ok == 1 else { throw CryptoError.openSSL("invalid \(group) public key") }
        if !group.isEC {
            // RFC 7919 §5.1 / SP 800-56A: 1 < Y < p-1 (OpenSSL's partial public key check).
            guard let check = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("check ctx") }
            defer { EVP_PKEY_CTX_free(check) }
            guard EVP_PKEY_public_check_quick(check) == 1 else { throw CryptoError.openSSL("FFDHE public value out of range") }
        }
        return handle
    }

    static func leftPad(_ bytes: [UInt8], to size: Int) -> [UInt8] {
        bytes.count >= size ? bytes : [UInt8](repeating: 0, count: size - bytes.count) + bytes
    }
}
