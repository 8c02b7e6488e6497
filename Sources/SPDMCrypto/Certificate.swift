import COpenSSL
import Foundation

/// A parsed X.509 certificate (DER kept verbatim: SPDM hashes and compares certificate bytes).
public struct Certificate: Sendable, Hashable {
    /// The exact DER this certificate was parsed from.
    public let der: [UInt8]
    let handle: X509Handle
    /// The subject key when OpenSSL cannot decode it (ML-DSA), read from the SubjectPublicKeyInfo by us.
    private let postQuantumKey: PublicKey?

    /// Parses exactly one DER certificate; trailing bytes are an error.
    public init(der: [UInt8]) throws {
        var consumed = 0
        let x509: OpaquePointer? = der.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            let parsed = d2i_X509(nil, &cursor, raw.count)
            consumed = cursor.map { $0 - base } ?? 0
            return parsed
        }
        guard let x509 else { throw CryptoError.openSSL("cannot parse DER certificate") }
        handle = X509Handle(taking: x509)
        guard consumed == der.count else {
            throw CryptoError("DER certificate has \(der.count - consumed) trailing bytes")
        }
        self.der = der
        postQuantumKey = Self.postQuantumKey(of: x509)
    }

    /// Parses the first certificate of a PEM text.
    public init(pem: String) throws {
        let bio = try MemoryBIO(Array(pem.utf8))
        guard let x509 = PEM_read_bio_X509(bio.bio, nil, nil, nil) else {
            throw CryptoError.openSSL("cannot parse PEM certificate")
        }
        try self.init(taking: x509)
    }

    /// Wraps an X509 this struct now owns, re-encoding it to DER.
    init(taking x509: OpaquePointer) throws {
        handle = X509Handle(taking: x509)
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(x509, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_X509 failed") }
        defer { spdm_openssl_free(pointer) }
        der = Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
        postQuantumKey = Self.postQuantumKey(of: x509)
    }

    /// The ML-DSA key of the SubjectPublicKeyInfo when OpenSSL cannot decode the subject key and it
    /// is a well-formed ML-DSA key; nil otherwise (OpenSSL's key, or an unusable one: the certificate
    /// still parses, and `subjectPublicKey()` says the key is not usable).
    private static func postQuantumKey(of x509: OpaquePointer) -> PublicKey? {
        defer { OpenSSLErrorQueue.clear() }
        guard X509_get0_pubkey(x509) == nil, let subjectKey = X509_get_X509_PUBKEY(x509) else { return nil }
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_PUBKEY(subjectKey, &pointer)
        guard length > 0, let pointer else { return nil }
        defer { spdm_openssl_free(pointer) }
        let spki = Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
        return try? PublicKey(subjectPublicKeyInfoDER: spki)
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    /// PEM ("-----BEGIN CERTIFICATE-----").
    public var pem: String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    /// The subject public key. Traps when OpenSSL cannot use it: for certificates from untrusted
    /// input call `subjectPublicKey()`.
    public var publicKey: PublicKey {
        if let postQuantumKey { return postQuantumKey }
        guard let pkey = X509_get_pubkey(handle.x509) else {
            preconditionFailure("certificate without a usable public key: \(OpenSSLErrorQueue.drain())")
        }
        return PublicKey(handle: PKeyHandle(taking: pkey))
    }

    /// The subject public key, or an error when OpenSSL cannot use it (an unknown algorithm, a
    /// malformed key): a certificate parses even so.
    public func subjectPublicKey() throws -> PublicKey {
        if let postQuantumKey { return postQuantumKey }
        guard let pkey = X509_get_pubkey(handle.x509) else {
            throw CryptoError.openSSL("the certificate's public key is not usable")
        }
        return PublicKey(handle: PKeyHandle(taking: pkey))
    }

    /// Subject DN on one line, RFC 2253 style ("CN=...,O=...").
    public var subject: String { Self.oneLine(X509_get_subject_name(handle.x509)) }

    /// Issuer DN on one line, RFC 2253 style.
    public var issuer: String { Self.oneLine(X509_get_issuer_name(handle.x509)) }

    /// basicConstraints cA = TRUE.
    public var isCA: Bool {
        X509_get_extension_flags(handle.x509) & UInt32(EXFLAG_CA) != 0
    }

    /// Subject equals issuer and the certificate verifies with its own key.
    public var isSelfSigned: Bool {
        defer { OpenSSLErrorQueue.clear() }
        if let fields = postQuantumSignature {
            return MLDSACertificateVerifier.issued(self, by: self, fields: fields)
        }
        return X509_self_signed(handle.x509, 1) == 1
    }

    /// The signature fields when the certificate is signed with an algorithm OpenSSL does not know
    /// (ML-DSA, checked by `MLDSACertificateVerifier`); nil for OpenSSL's algorithms.
    var postQuantumSignature: CertificateSignatureFields? {
        guard X509_get_signature_nid(handle.x509) == NID_undef else { return nil }
        return try? CertificateSignatureFields(der: der)
    }

    /// X.509 version number as encoded (2 means v3).
    public var version: Int { Int(X509_get_version(handle.x509)) }

    /// basicConstraints pathLenConstraint, nil when absent.
    public var pathLengthConstraint: Int? {
        let value = X509_get_pathlen(handle.x509)
        return value < 0 ? nil : Int(value)
    }

    /// Serial number, big-endian magnitude.
    public var serialNumber: [UInt8] {
        guard let serial = X509_get0_serialNumber(handle.x509), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return [] }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        _ = BN_bn2bin(bn, &out)
        return out
    }

    public var notBefore: Date { Self.date(X509_get0_notBefore(handle.x509)) }
    public var notAfter: Date { Self.date(X509_get0_notAfter(handle.x509)) }

    /// Dotted OIDs of extendedKeyUsage (empty when the extension is absent).
    public var extendedKeyUsageOIDs: [String] {
        X509Extensions.extendedKeyUsage(of: handle.x509)
    }

    /// True when the DMTF SPDM extension (id-DMTF-SPDM-extension, 1.3.6.1.4.1.412.274.6) lists
    /// id-DMTF-hardware-identity (1.3.6.1.4.1.412.274.2): the DeviceCert model leaf marker (DSP0274).
    public var hasHardwareIdentity: Bool {
        X509Extensions.spdmExtensionOIDs(of: handle.x509).contains(SPDMObjectIdentifiers.hardwareIdentity)
    }

    private static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        X509_NAME_print_ex(bio.bio, name, 0, spdm_xn_flag_rfc2253())
        return String(decoding: bio.contents, as: UTF8.self)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

/// Owns one `X509`. Certificates are not mutated after construction.
final class X509Handle: @unchecked Sendable {
    let x509: OpaquePointer

    init(taking x509: OpaquePointer) { self.x509 = x509 }

    deinit { X509_free(x509) }
}
