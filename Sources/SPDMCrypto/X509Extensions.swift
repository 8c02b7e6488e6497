import COpenSSL

/// Reading and adding X.509 v3 extensions.
enum X509Extensions {
    /// Adds an extension written in OpenSSL's config syntax (e.g. "critical,CA:TRUE,pathlen:0").
    static func add(_ nid: Int32, _ value: String, to cert: OpaquePointer, issuer: OpaquePointer) throws {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer, cert, nil, nil, 0)
        guard let ext = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
            throw CryptoError.openSSL("cannot build extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
        }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(cert, ext, -1) == 1 else { throw CryptoError.openSSL("X509_add_ext failed") }
    }

    /// Adds an extension from its OID and DER value.
    static func addRaw(oid: String, critical: Bool, value: [UInt8], to cert: OpaquePointer) throws {
        guard let object = OBJ_txt2obj(oid, 1) else { throw CryptoError.openSSL("bad OID \(oid)") }
        defer { ASN1_OBJECT_free(object) }
        guard let octets = ASN1_OCTET_STRING_new() else { throw CryptoError.openSSL("ASN1_OCTET_STRING_new failed") }
        defer { ASN1_OCTET_STRING_free(octets) }
        guard ASN1_OCTET_STRING_set(octets, value, Int32(value.count)) == 1,
              let ext = X509_EXTENSION_create_by_OBJ(nil, object, critical ? 1 : 0, octets) else {
            throw CryptoError.openSSL("cannot build extension \(oid)")
        }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(cert, ext, -1) == 1 else { throw CryptoError.openSSL("X509_add_ext failed") }
    }

    /// The DER value (extnValue contents) of the first extension with `oid`, or nil.
    static func rawValue(oid: String, of cert: OpaquePointer) -> [UInt8]? {
        guard let object = OBJ_txt2obj(oid, 1) else { OpenSSLErrorQueue.clear(); return nil }
        defer { ASN1_OBJECT_free(object) }
        let index = X509_get_ext_by_OBJ(cert, object, -1)
        guard index >= 0, let ext = X509_get_ext(cert, index), let data = X509_EXTENSION_get_data(ext) else { return nil }
        guard let bytes = ASN1_STRING_get0_data(data) else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))))
    }

    static func extendedKeyUsage(of cert: OpaquePointer) -> [String] {
        guard let value = rawValue(oid: "2.5.29.37", of: cert) else { return [] }
        return (try? oidsInSequence(value, nested: false)) ?? []
    }

    /// OIDs listed in the DMTF SPDM extension (SEQUENCE OF SEQUENCE { OID, ... }).
    static func spdmExtensionOIDs(of cert: OpaquePointer) -> [String] {
        guard let value = rawValue(oid: SPDMObjectIdentifiers.spdmExtension, of: cert) else { return [] }
        return (try? oidsInSequence(value, nested: true)) ?? []
    }

    /// Reads SEQUENCE { OID, ... } (or, nested, SEQUENCE { SEQUENCE { OID, ... }, ... }).
    private static func oidsInSequence(_ der: [UInt8], nested: Bool) throws -> [String] {
        var reader = DERReader(der)
        var outer = try reader.element(tag: 0x30)
        var oids: [String] = []
        while !outer.isAtEnd {
            if nested {
                var inner = try outer.element(tag: 0x30)
                oids.append(try inner.objectIdentifier())
            } else {
                oids.append(try outer.objectIdentifier())
            }
        }
        return oids
    }
}

/// Tiny DER reader for extension values and the PKCS#10 structures of a CSR.
struct DERReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    /// Reads one element with `tag` and returns a reader over its contents.
    mutating func element(tag: UInt8) throws -> DERReader {
        let content = try read(tag: tag)
        return DERReader(content)
    }

    mutating func objectIdentifier() throws -> String {
        let start = offset
        _ = try read(tag: 0x06)
        let encoded = Array(bytes[start..<offset])
        let object: OpaquePointer? = encoded.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ASN1_OBJECT(nil, &cursor, buffer.count)
        }
        guard let object else { throw CryptoError.openSSL("bad OID encoding") }
        defer { ASN1_OBJECT_free(object) }
        var text = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&text, Int32(text.count), object, 1)
        guard length > 0 else { throw CryptoError.openSSL("OBJ_obj2txt failed") }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The tag of the next element, nil at the end.
    var nextTag: UInt8? { isAtEnd ? nil : bytes[offset] }

    /// Reads one element with `tag` and returns it whole (tag, length and contents).
    mutating func encodedElement(tag: UInt8) throws -> [UInt8] {
        let start = offset
        _ = try read(tag: tag)
        return Array(bytes[start..<offset])
    }

    /// Reads one element with `tag` and returns its contents.
    mutating func contents(tag: UInt8) throws -> [UInt8] { try read(tag: tag) }

    private mutating func read(tag: UInt8) throws -> [UInt8] {
        guard offset + 2 <= bytes.count, bytes[offset] == tag else { throw CryptoError("unexpected DER tag") }
        var length = Int(bytes[offset + 1])
        var header = 2
        if length >= 0x80 {
            let count = length & 0x7F
            guard count >= 1, count <= 3, offset + 2 + count <= bytes.count else { throw CryptoError("bad DER length") }
            length = 0
            for i in 0..<count { length = length << 8 | Int(bytes[offset + 2 + i]) }
            header += count
        }
        guard offset + header + length <= bytes.count else { throw CryptoError("truncated DER") }
        let content = Array(bytes[(offset + header)..<(offset + header + length)])
        offset += header + length
        return content
    }
}
