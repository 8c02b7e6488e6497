import COpenSSL

/// Minimal DER encoder for the few structures OpenSSL's config syntax cannot express exactly
/// (DMTF otherName, the SPDM extension).
enum DER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }

    static func utf8String(_ text: String) -> [UInt8] { tlv(0x0C, Array(text.utf8)) }

    /// Context-specific constructed tag [n].
    static func explicit(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0xA0 | number, content) }

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
