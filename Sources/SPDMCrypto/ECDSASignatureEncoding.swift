import COpenSSL

/// Converts between OpenSSL's DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` and the
/// SPDM wire format r||s (DSP0274: "the signature shall be the concatenation of r and s", each the
/// size of the curve, big-endian). SM2 signatures use the same layout.
enum ECDSASignatureEncoding {
    static func rawFromDER(_ der: [UInt8], coordinateSize: Int) throws -> [UInt8] {
        let sig = try ECDSASigHandle(der: der)
        var r: OpaquePointer?
        var s: OpaquePointer?
        ECDSA_SIG_get0(sig.sig, &r, &s)
        guard let r, let s else { throw CryptoError("ECDSA signature lacks r or s") }
        var out = [UInt8](repeating: 0, count: coordinateSize * 2)
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(r, buffer.baseAddress, Int32(coordinateSize)) == Int32(coordinateSize)
                && BN_bn2binpad(s, buffer.baseAddress! + coordinateSize, Int32(coordinateSize)) == Int32(coordinateSize)
        }
        guard ok else { throw CryptoError.openSSL("ECDSA r or s does not fit \(coordinateSize) bytes") }
        return out
    }

    static func derFromRaw(_ raw: [UInt8]) throws -> [UInt8] {
        guard raw.count % 2 == 0, !raw.isEmpty else { throw CryptoError("odd-sized r||s signature") }
        let half = raw.count / 2
        guard let sig = ECDSA_SIG_new() else { throw CryptoError.openSSL("ECDSA_SIG_new failed") }
        let handle = ECDSASigHandle(taking: sig)
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + half, Int32(half), nil) }
        guard let r, let s, ECDSA_SIG_set0(handle.sig, r, s) == 1 else {
            if let r { BN_free(r) }
            if let s { BN_free(s) }
            throw CryptoError.openSSL("ECDSA_SIG_set0 failed")
        }
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_ECDSA_SIG(handle.sig, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_ECDSA_SIG failed") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }
}

/// Owns one `ECDSA_SIG`.
final class ECDSASigHandle {
    let sig: OpaquePointer

    init(taking sig: OpaquePointer) { self.sig = sig }

    convenience init(der: [UInt8]) throws {
        let parsed: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_ECDSA_SIG(nil, &cursor, raw.count)
        }
        guard let parsed else { throw CryptoError.openSSL("cannot parse DER ECDSA signature") }
        self.init(taking: parsed)
    }

    deinit { ECDSA_SIG_free(sig) }
}
