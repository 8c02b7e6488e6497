import Foundation

/// The role a certificate plays in an SPDM chain (DSP0274 "Certificates and certificate chains").
public enum CertificateKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Self-signed trust anchor.
    case root
    /// CA below the root that issues device leaves.
    case intermediate
    /// A Responder's leaf (DeviceCert model): CA:FALSE, responder-auth EKU.
    case responderLeaf
    /// A Requester's leaf for mutual authentication: CA:FALSE, requester-auth EKU.
    case requesterLeaf

    public var isCA: Bool { self == .root || self == .intermediate }
}

/// Everything about a certificate to be built except the keys. Defaults give the profile that
/// passes libspdm's leaf checks (libspdm_x509_certificate_check) and matches certs/generate.sh:
/// X.509 v3; CAs: basicConstraints critical CA:TRUE (intermediate pathlen 0), keyUsage critical
/// keyCertSign+cRLSign+digitalSignature; leaves: basicConstraints critical CA:FALSE, keyUsage critical
/// digitalSignature+nonRepudiation (+keyEncipherment for RSA), extendedKeyUsage with the DMTF
/// responder-auth OID (responder leaf) or requester-auth + responder-auth (requester leaf; see
/// CertificateFactory) plus serverAuth/clientAuth, subjectAltName otherName
/// id-DMTF-device-info, and the SPDM extension listing id-DMTF-hardware-identity (DeviceCert model).
public struct CertificateRequestProfile: Sendable, Hashable {
    public var kind: CertificateKind
    /// Subject CN.
    public var commonName: String
    /// Subject O (omitted when nil).
    public var organization: String?
    /// Positive serial number; must be unique per issuer.
    public var serialNumber: UInt64
    public var notBefore: Date
    public var notAfter: Date
    /// basicConstraints pathLenConstraint for CAs (nil = unlimited). Ignored for leaves.
    public var pathLength: Int?
    /// Hash for the issuer's signature over the certificate; nil = the issuer key's convention
    /// (P-256/RSA-2048: SHA-256, P-384/RSA-3072: SHA-384, P-521/RSA-4096: SHA-512, SM2: SM3;
    /// ignored for EdDSA).
    public var signatureHash: HashAlgorithm?
    /// Leaves: DMTF otherName in subjectAltName ("manufacturer:product:serial"); nil omits it.
    public var deviceInfo: String?
    /// Leaves: list id-DMTF-hardware-identity in the SPDM extension (DeviceCert model). Set false
    /// for the AliasCert model, where it must be absent.
    public var hardwareIdentity: Bool
    /// Leaves: include extendedKeyUsage (DMTF auth OID for the kind, serverAuth, clientAuth).
    public var includeExtendedKeyUsage: Bool
    /// Mark extendedKeyUsage critical (libspdm's sample profile does).
    public var extendedKeyUsageCritical: Bool

    public init(kind: CertificateKind, commonName: String, organization: String? = nil,
                serialNumber: UInt64 = CertificateRequestProfile.randomSerial(),
                notBefore: Date = Date().addingTimeInterval(-3600), validityDays: Int = 9125,
                pathLength: Int? = nil, signatureHash: HashAlgorithm? = nil,
                deviceInfo: String? = nil, hardwareIdentity: Bool = true,
                includeExtendedKeyUsage: Bool = true, extendedKeyUsageCritical: Bool = false) {
        self.kind = kind
        self.commonName = commonName
        self.organization = organization
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notBefore.addingTimeInterval(TimeInterval(validityDays) * 86_400)
        self.pathLength = pathLength ?? (kind == .intermediate ? 0 : nil)
        self.signatureHash = signatureHash
        self.deviceInfo = deviceInfo
        self.hardwareIdentity = hardwareIdentity
        self.includeExtendedKeyUsage = includeExtendedKeyUsage
        self.extendedKeyUsageCritical = extendedKeyUsageCritical
    }

    /// A random positive 63-bit serial.
    public static func randomSerial() -> UInt64 {
        let bytes = SecureRandom.bytes(8)
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return max(1, value & 0x7FFF_FFFF_FFFF_FFFF)
    }
}
