/// DMTF object identifiers used in SPDM certificates (DSP0274 "Leaf certificate" /
/// "SPDM certificate object identifiers": id-DMTF 1.3.6.1.4.1.412, id-DMTF-spdm { id-DMTF 274 }).
public enum SPDMObjectIdentifiers {
    /// id-DMTF-device-info: otherName type in subjectAltName, value "manufacturer:product:serial".
    public static let deviceInfo = "1.3.6.1.4.1.412.274.1"
    /// id-DMTF-hardware-identity: marks a DeviceCert-model leaf (listed in the SPDM extension).
    public static let hardwareIdentity = "1.3.6.1.4.1.412.274.2"
    /// id-DMTF-eku-responder-auth: extendedKeyUsage for a Responder's leaf.
    public static let responderAuthEKU = "1.3.6.1.4.1.412.274.3"
    /// id-DMTF-eku-requester-auth: extendedKeyUsage for a Requester's leaf.
    public static let requesterAuthEKU = "1.3.6.1.4.1.412.274.4"
    /// id-DMTF-mutable-certificate.
    public static let mutableCertificate = "1.3.6.1.4.1.412.274.5"
    /// id-DMTF-SPDM-extension: extension whose value is SEQUENCE OF SEQUENCE { id OID, ... }.
    public static let spdmExtension = "1.3.6.1.4.1.412.274.6"
}
