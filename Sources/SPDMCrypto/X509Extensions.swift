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

extension X509Extensions {
    /// The DER Extension (SEQUENCE { extnID, critical, extnValue }) of one profile entry, for
    /// certificates whose TBSCertificate we write ourselves.
    static func encoded(_ specification: CertificateFactory.ExtensionSpecification) throws -> [UInt8] {
        switch specification {
        case .raw(let oid, let critical, let value):
            return encodedRaw(oid: try DER.objectIdentifier(oid), critical: critical, value: value)
        case .configured(let nid, let value):
            var context = X509V3_CTX()
            X509V3_set_ctx(&context, nil, nil, nil, nil, 0)
            guard let ext = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
                throw CryptoError.openSSL("cannot build extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            var pointer: UnsafeMutablePointer<UInt8>?
            let length = i2d_X509_EXTENSION(ext, &pointer)
            guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_X509_EXTENSION failed") }
            defer { spdm_openssl_free(pointer) }
            return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
        }
    }

    /// Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
    static func encodedRaw(oid encodedOID: [UInt8], critical: Bool, value: [UInt8]) -> [UInt8] {
        DER.sequence(encodedOID, critical ? [0x01, 0x01, 0xFF] : [], DER.octetString(value))
    }
}
