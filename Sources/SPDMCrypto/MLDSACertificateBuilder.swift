import COpenSSL
import Foundation

/// Builds X.509 v3 certificates signed with ML-DSA (RFC 9881), which OpenSSL 3.0 cannot sign: the
/// TBSCertificate is written here with `DER`, carrying exactly the extensions of
/// `CertificateFactory.extensionSpecifications` (names, times and configured extensions still
/// encoded by OpenSSL), then signed with pure ML-DSA and an empty context:
///
///     Certificate ::= SEQUENCE {
///         tbsCertificate      TBSCertificate,
///         signatureAlgorithm  SEQUENCE { id-ml-dsa-65 | id-ml-dsa-87 },       -- parameters absent
///         signatureValue      BIT STRING }                                    -- 3309 / 4627 bytes
///     TBSCertificate ::= SEQUENCE {
///         version [0] EXPLICIT INTEGER 2, serialNumber INTEGER, signature (as above),
///         issuer Name, validity SEQUENCE { notBefore, notAfter }, subject Name,
///         subjectPublicKeyInfo, extensions [3] EXPLICIT SEQUENCE OF Extension }
///
/// subjectKeyIdentifier is the SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1, as
/// OpenSSL's "hash"); authorityKeyIdentifier carries the issuer's subjectKeyIdentifier (or the
/// subject's own when self-signed), as OpenSSL's "keyid:always".
enum MLDSACertificateBuilder {
    static func makeCertificate(profile: CertificateRequestProfile, subjectKey: PublicKey, issuer: Certificate?,
                                signingKey: MLDSASigningKey) throws -> Certificate {
        let algorithm = signingKey.algorithm
        let signatureAlgorithm = DER.sequence(DER.objectIdentifier(content: algorithm.objectIdentifierContent))
        let subjectPublicKeyInfo = subjectKey.subjectPublicKeyInfoDER
        let subjectName = try encodedName(profile)
        let issuerName = try issuer.map { try encodedName(X509_get_subject_name($0.handle.x509)) } ?? subjectName

        let keyIdentifier = try Self.keyIdentifier(subjectPublicKeyInfo: subjectPublicKeyInfo)
        let authorityKeyIdentifier = try issuer.map { try issuerKeyIdentifier($0) } ?? keyIdentifier
        var extensions = try CertificateFactory.extensionSpecifications(profile: profile, subjectKeyType: subjectKey.keyType)
            .map(X509Extensions.encoded)
        extensions.append(X509Extensions.encodedRaw(oid: DER.objectIdentifier(content: [0x55, 0x1D, 0x0E]), critical: false,
                                                    value: DER.octetString(keyIdentifier)))
        extensions.append(X509Extensions.encodedRaw(oid: DER.objectIdentifier(content: [0x55, 0x1D, 0x23]), critical: false,
                                                    value: DER.sequence(DER.tlv(0x80, authorityKeyIdentifier))))

        guard profile.notAfter > profile.notBefore else {
            throw CryptoError("cannot set validity \(profile.notBefore) – \(profile.notAfter)")
        }
        let tbs = DER.sequence(
            DER.explicit(0, DER.integer(2)),
            DER.integer(profile.serialNumber),
            signatureAlgorithm,
            issuerName,
            DER.sequence(try encodedTime(profile.notBefore), try encodedTime(profile.notAfter)),
            subjectName,
            subjectPublicKeyInfo,
            DER.explicit(3, DER.sequence(extensions.flatMap { $0 })))
        let signature = try signingKey.sign(message: tbs, context: [])
        return try Certificate(der: DER.sequence(tbs, signatureAlgorithm, DER.bitString(signature)))
    }

    /// SHA-1 of the subjectPublicKey BIT STRING contents.
    static func keyIdentifier(subjectPublicKeyInfo der: [UInt8]) throws -> [UInt8] {
        var outer = DERReader(der)
        var info = try outer.element(tag: DERReader.Tag.sequence)
        try info.skip()
        return SHA1.hash(try info.octetAlignedBitString())
    }

    /// The issuer's subjectKeyIdentifier, or one computed from its key when it has none.
    private static func issuerKeyIdentifier(_ issuer: Certificate) throws -> [UInt8] {
        if let identifier = X509_get0_subject_key_id(issuer.handle.x509), let bytes = ASN1_STRING_get0_data(identifier) {
            return Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(identifier))))
        }
        return try keyIdentifier(subjectPublicKeyInfo: try issuer.subjectPublicKey().subjectPublicKeyInfoDER)
    }

    private static func encodedName(_ profile: CertificateRequestProfile) throws -> [UInt8] {
        guard let name = X509_NAME_new() else { throw CryptoError.openSSL("X509_NAME_new failed") }
        defer { X509_NAME_free(name) }
        try CertificateFactory.addSubjectEntries(name, profile)
        return try encodedName(name)
    }

    private static func encodedName(_ name: OpaquePointer?) throws -> [UInt8] {
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_NAME(name, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_X509_NAME failed") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }

    /// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), as OpenSSL chooses.
    private static func encodedTime(_ date: Date) throws -> [UInt8] {
        guard let time = ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970)) else {
            throw CryptoError.openSSL("cannot encode time \(date)")
        }
        defer { ASN1_TIME_free(time) }
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_ASN1_TIME(time, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_ASN1_TIME failed") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }
}

/// SHA-1, for key identifiers only.
enum SHA1 {
    static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &out, &length, EVP_sha1(), nil) }
        precondition(ok == 1 && length == 20, "SHA-1 failed: \(OpenSSLErrorQueue.drain())")
        return out
    }
}
