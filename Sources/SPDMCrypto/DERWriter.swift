import COpenSSL

/// Minimal DER encoder for the structures OpenSSL cannot build for us: the DMTF otherName and SPDM
/// extension values, and whole certificates and keys of the post-quantum algorithms OpenSSL 3.0 does
/// not know (ML-DSA TBSCertificate, SubjectPublicKeyInfo and PKCS#8 of ML-DSA / ML-KEM).
enum DER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }

    static func utf8String(_ text: String) -> [UInt8] { tlv(0x0C, Array(text.utf8)) }

    /// Context-specific constructed tag [n].
    static func explicit(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0xA0 | number, content) }

    /// Context-specific primitive tag [n] IMPLICIT (e.g. the ML-DSA/ML-KEM `seed [0]` choice).
    static func implicitPrimitive(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0x80 | number, content) }

    static func octetString(_ content: [UInt8]) -> [UInt8] { tlv(0x04, content) }

    /// BIT STRING of whole octets (unused bits 0).
    static func bitString(_ content: [UInt8]) -> [UInt8] { tlv(0x03, [0] + content) }

    /// OBJECT IDENTIFIER from its content octets.
    static func objectIdentifier(content: [UInt8]) -> [UInt8] { tlv(0x06, content) }

    /// A non-negative INTEGER (minimal two's complement: a leading 0x00 when the top bit is set).
    static func integer(_ value: UInt64) -> [UInt8] {
        var magnitude: [UInt8] = []
        var remaining = value
        repeat {
            magnitude.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        } while remaining > 0
        if magnitude[0] & 0x80 != 0 { magnitude.insert(0, at: 0) }
        return tlv(0x02, magnitude)
    }

    /// OBJECT IDENTIFIER from dotted text, via OpenSSL's own encoder.
    static func objectIdentifier(_ dotted: String) throws -> [UInt8] {
        guard let object = OBJ_txt2obj(dotted, 1) else { throw CryptoError.openSSL("bad OID \(dotted)") }
        defer { ASN1_OBJECT_free(object) }
        var pointer: UnsafeMutablePointer<UInt8>?
        let count = i2d_ASN1_OBJECT(object, &pointer)
        guard count > 0, let pointer else { throw CryptoError.openSSL("cannot encode OID \(dotted)") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(count)))
    }

    private static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
}
