/// The signed part and the signature of a DER X.509 certificate (RFC 5280 §4.1), read by us for the
/// signature algorithms OpenSSL 3.0 cannot verify (ML-DSA):
///
///     Certificate ::= SEQUENCE {
///         tbsCertificate      SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER,
///                                        signature AlgorithmIdentifier, … },
///         signatureAlgorithm  AlgorithmIdentifier,          -- SEQUENCE { OID, parameters OPTIONAL }
///         signatureValue      BIT STRING }
///
/// The peer supplies these bytes (certificate chains from GET_CERTIFICATE), so every read is bounds
/// checked and any mismatch throws.
struct CertificateSignatureFields {
    /// The TBSCertificate exactly as encoded (the signed message).
    let tbsCertificate: [UInt8]
    /// Content octets of the outer signatureAlgorithm OID.
    let signatureAlgorithm: [UInt8]
    /// True when the AlgorithmIdentifiers carry parameters (RFC 9881: ML-DSA's must be absent).
    let hasParameters: Bool
    /// True when the TBSCertificate's signature field names the same algorithm as the outer one
    /// (RFC 5280 §4.1.1.2 requires it).
    let algorithmsAgree: Bool
    let signature: [UInt8]

    init(der: [UInt8]) throws {
        var outer = DERReader(der)
        var certificate = try outer.element(tag: DERReader.Tag.sequence)
        try outer.requireEnd("Certificate")
        tbsCertificate = try certificate.encodedElement(tag: DERReader.Tag.sequence)
        let (outerOID, outerParameters) = try Self.algorithmIdentifier(&certificate)
        signature = try certificate.octetAlignedBitString()
        try certificate.requireEnd("Certificate")

        var tbsReader = DERReader(tbsCertificate)
        var tbs = try tbsReader.element(tag: DERReader.Tag.sequence)
        if tbs.nextTag == 0xA0 { try tbs.skip() }        // version
        _ = try tbs.contents(tag: DERReader.Tag.integer)       // serialNumber
        let (innerOID, innerParameters) = try Self.algorithmIdentifier(&tbs)
        signatureAlgorithm = outerOID
        hasParameters = outerParameters != nil || innerParameters != nil
        algorithmsAgree = outerOID == innerOID && outerParameters == innerParameters
    }

    /// AlgorithmIdentifier: the OID's content and the encoded parameters (nil when absent).
    private static func algorithmIdentifier(_ reader: inout DERReader) throws -> ([UInt8], [UInt8]?) {
        var identifier = try reader.element(tag: DERReader.Tag.sequence)
        let oid = try identifier.objectIdentifierContent()
        guard let tag = identifier.nextTag else { return (oid, nil) }
        let parameters = try identifier.encodedElement(tag: tag)
        try identifier.requireEnd("AlgorithmIdentifier")
        return (oid, parameters)
    }

    /// The ML-DSA parameter set of the signature, nil for other algorithms.
    var mlDsaAlgorithm: PQCSignatureAlgorithm? { PQCSignatureAlgorithm(objectIdentifierContent: signatureAlgorithm) }
}
