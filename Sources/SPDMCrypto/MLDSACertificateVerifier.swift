import COpenSSL

/// Checks that one certificate issued another when the signature is ML-DSA (RFC 9881), which
/// OpenSSL 3.0's X509_verify_cert cannot do. It makes the checks OpenSSL's X509_check_issued and
/// a two-certificate X509_verify_cert make for the other algorithms (see `ChainVerifier.issues`):
///   - the subject's issuer Name equals the issuer's subject Name (X509_NAME_cmp);
///   - authorityKeyIdentifier, when both sides carry key identifiers, names the issuer's key;
///   - the issuer is a CA and, when it has keyUsage, keyCertSign is set;
///   - no unknown critical extension, unless the options tolerate them;
///   - the inner and outer signature AlgorithmIdentifiers agree, with parameters absent;
///   - the issuer's key is ML-DSA of the signature's parameter set and verifies the signature over
///     the TBSCertificate bytes as received, with an empty context.
enum MLDSACertificateVerifier {
    static func issued(_ subject: Certificate, by issuer: Certificate, fields: CertificateSignatureFields,
                       ignoreUnknownCriticalExtensions: Bool = true) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard let algorithm = fields.mlDsaAlgorithm, fields.algorithmsAgree, !fields.hasParameters else { return false }
        guard X509_NAME_cmp(X509_get_subject_name(issuer.handle.x509), X509_get_issuer_name(subject.handle.x509)) == 0 else {
            return false
        }
        if let authority = X509_get0_authority_key_id(subject.handle.x509),
           let issuerKey = X509_get0_subject_key_id(issuer.handle.x509),
           ASN1_OCTET_STRING_cmp(authority, issuerKey) != 0 {
            return false
        }
        let selfIssued = subject.der == issuer.der
        if !selfIssued {
            guard issuer.isCA else { return false }
            let issuerFlags = X509_get_extension_flags(issuer.handle.x509)
            if issuerFlags & UInt32(EXFLAG_KUSAGE) != 0, X509_get_key_usage(issuer.handle.x509) & UInt32(KU_KEY_CERT_SIGN) == 0 {
                return false
            }
        }
        if !ignoreUnknownCriticalExtensions {
            for certificate in [subject, issuer] where X509_get_extension_flags(certificate.handle.x509) & UInt32(EXFLAG_CRITICAL) != 0 {
                return false
            }
        }
        guard let issuerKey = try? issuer.subjectPublicKey() else { return false }
        return issuerKey.verify(algorithm, message: fields.tbsCertificate, signature: fields.signature, context: [])
    }
}
