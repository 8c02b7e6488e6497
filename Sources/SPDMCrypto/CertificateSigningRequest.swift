import Foundation
import COpenSSL

/// PKCS#10 certificate signing requests (RFC 2986), as GET_CSR answers them (DSP0274 §10.22): the
/// device signs a CertificationRequest for one of its keys with that key.
public enum CertificateSigningRequest {
    /// What the device puts in a CSR besides its key.
    public struct Content: Sendable {
        /// The requester's RequesterInfo (a DER CertificationRequestInfo), or empty. Its subject and
        /// attributes are taken over (extensionRequest attributes are not: the device states its own
        /// extensions); its version must be 0; its subjectPKInfo is not used — the CSR always
        /// carries the device's own key, whatever key the requester put there.
        public var requesterInfo: [UInt8]
        /// The subject when RequesterInfo names none: "CN=<defaultCommonName>".
        public var defaultCommonName: String
        /// basicConstraints cA: TRUE for the AliasCert model (the CSR is for the device certificate CA).
        public var isCA: Bool
        /// A certificate whose extensions the CSR repeats (the slot's current leaf), except
        /// basicConstraints, keyUsage and the key identifiers, which describe the new key.
        public var extensionTemplate: Certificate?

        public init(requesterInfo: [UInt8] = [], defaultCommonName: String, isCA: Bool = false, extensionTemplate: Certificate? = nil) {
            self.requesterInfo = requesterInfo
            self.defaultCommonName = defaultCommonName
            self.isCA = isCA
            self.extensionTemplate = extensionTemplate
        }
    }

    /// The parts of a RequesterInfo the CSR takes over.
    public struct RequesterInfo: Sendable, Hashable {
        /// The DER Name (SEQUENCE OF RelativeDistinguishedName); `30 00` for an empty subject.
        public var subjectDER: [UInt8]
        /// Each Attribute, DER.
        public var attributesDER: [[UInt8]]

        /// Checks the structure DSP0274 asks for — CertificationRequestInfo ::= SEQUENCE { version
        /// INTEGER (0), subject Name, subjectPKInfo SEQUENCE, attributes [0] SET OF Attribute } with
        /// nothing after it — and keeps subject and attributes.
        public init(der: [UInt8]) throws {
            var outer = DERReader(der)
            var info = try outer.element(tag: 0x30)
            guard outer.isAtEnd else { throw CryptoError("RequesterInfo has bytes after the CertificationRequestInfo") }
            guard try info.contents(tag: 0x02) == [0x00] else { throw CryptoError("RequesterInfo version is not 0") }
            subjectDER = try info.encodedElement(tag: 0x30)
            _ = try info.contents(tag: 0x30)
            var attributes = try info.element(tag: 0xA0)
            guard info.isAtEnd else { throw CryptoError("RequesterInfo has fields after its attributes") }
            var list: [[UInt8]] = []
            while !attributes.isAtEnd { list.append(try attributes.encodedElement(tag: 0x30)) }
            attributesDER = list
        }
    }

    /// A DER CertificationRequest for `key`, signed by it (ECDSA and RSA with `hash`; EdDSA pure;
    /// SM2 with SM3).
    public static func make(key: PrivateKey, hash: HashAlgorithm?, content: Content) throws -> [UInt8] {
        let info = content.requesterInfo.isEmpty ? nil : try RequesterInfo(der: content.requesterInfo)
        // ML-DSA CSRs (SPDM 1.4 GET_CSR with a PQC key pair) would need a PKCS#10 builder like
        // MLDSACertificateBuilder: OpenSSL 3.0 cannot hold the key.
        guard let handle = key.handle else { throw CryptoError("a CSR for a \(key.keyType) key is not supported") }
        guard let request = X509_REQ_new() else { throw CryptoError.openSSL("X509_REQ_new failed") }
        defer { X509_REQ_free(request) }
        guard X509_REQ_set_version(request, 0) == 1, X509_REQ_set_pubkey(request, handle.pkey) == 1 else {
            throw CryptoError.openSSL("cannot set the CSR version or key")
        }
        try setSubject(request, info: info, defaultCommonName: content.defaultCommonName)
        for attribute in info?.attributesDER ?? [] { try addAttribute(request, attribute) }
        try addExtensions(request, content: content, keyType: key.keyType)
        let context = try CertificateFactory.signingContext(for: key, hash: hash)
        guard X509_REQ_sign_ctx(request, context.ctx) > 0 else {
            throw CryptoError.openSSL("signing the CSR with a \(key.keyType) key failed")
        }
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_REQ(request, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_X509_REQ failed") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }

    private static func setSubject(_ request: OpaquePointer, info: RequesterInfo?, defaultCommonName: String) throws {
        if let info, info.subjectDER != [0x30, 0x00] {
            let name: OpaquePointer? = info.subjectDER.withUnsafeBufferPointer { buffer in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                return d2i_X509_NAME(nil, &cursor, buffer.count)
            }
            guard let name else { throw CryptoError.openSSL("RequesterInfo subject is not a Name") }
            defer { X509_NAME_free(name) }
            guard X509_REQ_set_subject_name(request, name) == 1 else { throw CryptoError.openSSL("cannot set the CSR subject") }
            return
        }
        guard let name = X509_REQ_get_subject_name(request) else { throw CryptoError.openSSL("no CSR subject name") }
        let bytes = Array(defaultCommonName.utf8)
        guard !bytes.isEmpty, X509_NAME_add_entry_by_txt(name, "CN", spdm_mbstring_utf8(), bytes, Int32(bytes.count), -1, 0) == 1 else {
            throw CryptoError.openSSL("cannot set the CSR subject CN=\(defaultCommonName)")
        }
    }

    private static func addAttribute(_ request: OpaquePointer, _ der: [UInt8]) throws {
        let attribute: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509_ATTRIBUTE(nil, &cursor, buffer.count)
        }
        guard let attribute else { throw CryptoError.openSSL("RequesterInfo holds a malformed attribute") }
        defer { X509_ATTRIBUTE_free(attribute) }
        if OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute)) == NID_ext_req { return }
        guard X509_REQ_add1_attr(request, attribute) == 1 else { throw CryptoError.openSSL("cannot add a CSR attribute") }
    }

    private static func addExtensions(_ request: OpaquePointer, content: Content, keyType: KeyType) throws {
        guard let stack = spdm_sk_x509_extension_new() else { throw CryptoError.openSSL("cannot allocate extensions") }
        defer { spdm_sk_x509_extension_pop_free(stack) }
        func push(_ nid: Int32, _ value: String) throws {
            guard let ext = X509V3_EXT_conf_nid(nil, nil, nid, value) else {
                throw CryptoError.openSSL("cannot build extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
            }
            guard spdm_sk_x509_extension_push(stack, ext) > 0 else {
                X509_EXTENSION_free(ext)
                throw CryptoError.openSSL("cannot collect extensions")
            }
        }
        if content.isCA {
            try push(NID_basic_constraints, "critical,CA:TRUE")
            try push(NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature")
        } else {
            try push(NID_basic_constraints, "critical,CA:FALSE")
            var usage = "critical,digitalSignature,nonRepudiation"
            if case .rsa = keyType { usage += ",keyEncipherment" }
            try push(NID_key_usage, usage)
        }
        if let template = content.extensionTemplate?.handle.x509 {
            let replaced: Set<Int32> = [NID_basic_constraints, NID_key_usage, NID_subject_key_identifier, NID_authority_key_identifier]
            for index in 0..<X509_get_ext_count(template) {
                guard let ext = X509_get_ext(template, index),
                      !replaced.contains(OBJ_obj2nid(X509_EXTENSION_get_object(ext))),
                      let copy = X509_EXTENSION_dup(ext) else { continue }
                guard spdm_sk_x509_extension_push(stack, copy) > 0 else {
                    X509_EXTENSION_free(copy)
                    throw CryptoError.openSSL("cannot collect extensions")
                }
            }
        }
        guard X509_REQ_add_extensions(request, stack) == 1 else { throw CryptoError.openSSL("cannot add the CSR extensions") }
    }
}

/// A parsed CSR: what a requester checks before handing it to a CA.
public struct ParsedCertificateSigningRequest: Sendable {
    /// Subject DN on one line, RFC 2253 style.
    public let subject: String
    public let publicKey: PublicKey
    /// The signature verifies with the CSR's own key.
    public let signatureValid: Bool
    /// The number of attributes (the extension request counts as one).
    public let attributeCount: Int
    /// basicConstraints cA of the extension request (nil when absent).
    public let requestsCA: Bool?

    public init(der: [UInt8]) throws {
        var consumed = 0
        let request: OpaquePointer? = der.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            let parsed = d2i_X509_REQ(nil, &cursor, raw.count)
            consumed = cursor.map { $0 - base } ?? 0
            return parsed
        }
        guard let request else { throw CryptoError.openSSL("cannot parse DER CSR") }
        defer { X509_REQ_free(request) }
        guard consumed == der.count else { throw CryptoError("DER CSR has \(der.count - consumed) trailing bytes") }
        guard let pkey = X509_REQ_get_pubkey(request) else { throw CryptoError.openSSL("CSR without a usable public key") }
        let handle = PKeyHandle(taking: pkey)
        guard handle.keyType != nil else { throw CryptoError("CSR key type is not an SPDM one") }
        publicKey = PublicKey(handle: handle)
        signatureValid = X509_REQ_verify(request, pkey) == 1
        OpenSSLErrorQueue.clear()
        attributeCount = Int(X509_REQ_get_attr_count(request))
        subject = Self.oneLine(X509_REQ_get_subject_name(request))
        var ca: Bool?
        if let extensions = X509_REQ_get_extensions(request) {
            defer { spdm_sk_x509_extension_pop_free(extensions) }
            if let constraints = X509V3_get_d2i(extensions, NID_basic_constraints, nil, nil) {
                let basic = constraints.assumingMemoryBound(to: BASIC_CONSTRAINTS.self)
                ca = basic.pointee.ca != 0
                BASIC_CONSTRAINTS_free(basic)
            }
        }
        requestsCA = ca
    }

    private static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        X509_NAME_print_ex(bio.bio, name, 0, spdm_xn_flag_rfc2253())
        return String(decoding: bio.contents, as: UTF8.self)
    }
}

extension CertificateSigningRequest {
    /// A RequesterInfo (DER CertificationRequestInfo) for GET_CSR: `subject` as "CN=...,O=..."
    /// (comma-separated type=value pairs, no escaping), `publicKey` as subjectPKInfo (a reference
    /// responder insists that it is the key the CSR is for), no attributes.
    public static func requesterInfo(subject: String, publicKey: PublicKey) throws -> [UInt8] {
        guard let handle = publicKey.handle else { throw CryptoError("a RequesterInfo for a \(publicKey.keyType) key is not supported") }
        guard let request = X509_REQ_new() else { throw CryptoError.openSSL("X509_REQ_new failed") }
        defer { X509_REQ_free(request) }
        guard X509_REQ_set_version(request, 0) == 1, X509_REQ_set_pubkey(request, handle.pkey) == 1,
              let name = X509_REQ_get_subject_name(request) else {
            throw CryptoError.openSSL("cannot set up the CertificationRequestInfo")
        }
        for part in subject.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw CryptoError("subject part '\(part)' is not TYPE=value")
            }
            let bytes = Array(pair[1].utf8)
            guard X509_NAME_add_entry_by_txt(name, pair[0], spdm_mbstring_utf8(), bytes, Int32(bytes.count), -1, 0) == 1 else {
                throw CryptoError.openSSL("unknown subject attribute type '\(pair[0])'")
            }
        }
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = i2d_re_X509_REQ_tbs(request, &pointer)
        guard length > 0, let pointer else { throw CryptoError.openSSL("i2d_re_X509_REQ_tbs failed") }
        defer { spdm_openssl_free(pointer) }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }
}

extension PublicKey {
    /// The DER AlgorithmIdentifier of this key's SubjectPublicKeyInfo (KEY_PAIR_INFO PublicKeyInfo).
    public var algorithmIdentifierDER: [UInt8] {
        var outer = DERReader(subjectPublicKeyInfoDER)
        guard var info = try? outer.element(tag: 0x30), let identifier = try? info.encodedElement(tag: 0x30) else { return [] }
        return identifier
    }
}
