import COpenSSL
import Foundation
import Testing
@testable import SPDMCrypto

/// A root → intermediate → leaf chain of ML-DSA keys, signed with ML-DSA.
struct MLDSATestChain {
    let rootKey: PrivateKey, interKey: PrivateKey, leafKey: PrivateKey
    let root: Certificate, intermediate: Certificate, leaf: Certificate
    var chain: [Certificate] { [root, intermediate, leaf] }

    init(_ algorithm: PQCSignatureAlgorithm, leafKind: CertificateKind = .responderLeaf) throws {
        rootKey = try PrivateKey.generate(algorithm)
        interKey = try PrivateKey.generate(algorithm)
        leafKey = try PrivateKey.generate(algorithm)
        let name = algorithm.displayName
        root = try CertificateFactory.makeCertificate(commonName: "Test \(name) Root", subjectKey: rootKey.publicKey,
                                                      issuer: nil, issuerKey: rootKey, serial: 1, validityDays: 3650, kind: .root)
        intermediate = try CertificateFactory.makeCertificate(commonName: "Test \(name) Intermediate", subjectKey: interKey.publicKey,
                                                              issuer: root, issuerKey: rootKey, serial: 2, validityDays: 3650, kind: .intermediate)
        let profile = CertificateRequestProfile(kind: leafKind, commonName: "Test \(name) Leaf", serialNumber: 0x80_0000_0003,
                                                deviceInfo: "ACME:WIDGET:1234567890")
        leaf = try CertificateFactory.makeCertificate(profile: profile, subjectKey: leafKey.publicKey, issuer: intermediate, issuerKey: interKey)
    }
}

@Suite("ML-DSA certificates")
struct MLDSACertificateTests {
    @Test("a chain built with ML-DSA parses with OpenSSL 3.0 and verifies", arguments: PQCSignatureAlgorithm.allCases)
    func chain(_ algorithm: PQCSignatureAlgorithm) throws {
        let test = try MLDSATestChain(algorithm)
        try ChainVerifier.verify(chain: test.chain, trustedRoots: [test.root])
        try ChainVerifier.verify(chain: test.chain, trustedRoots: [test.root], options: .init(validAt: Date()))
        try ChainVerifier.verify(chain: [test.intermediate, test.leaf], trustedRoots: [test.root])
        #expect(test.root.isSelfSigned && test.root.isCA)
        #expect(!test.intermediate.isSelfSigned && test.intermediate.isCA && test.intermediate.pathLengthConstraint == 0)
        #expect(!test.leaf.isCA && test.leaf.version == 2)
        #expect(test.leaf.subject == "CN=Test \(algorithm.displayName) Leaf" && test.leaf.issuer == test.intermediate.subject)
        #expect(test.leaf.serialNumber == [0x80, 0, 0, 0, 3])
        #expect(test.leaf.publicKey.matches(algorithm))
        #expect(test.leaf.publicKey.subjectPublicKeyInfoDER == test.leafKey.publicKey.subjectPublicKeyInfoDER)
        let fields = try CertificateSignatureFields(der: test.leaf.der)
        #expect(fields.mlDsaAlgorithm == algorithm && fields.signature.count == algorithm.signatureSize)
        #expect(fields.algorithmsAgree && !fields.hasParameters)
        // Chain helpers read ML-DSA certificates like the others.
        let bundle = test.chain.flatMap(\.der)
        #expect(try Certificate.parseConcatenatedDER(bundle) == test.chain)
        #expect(try Certificate.parsePEMBundle(test.chain.map(\.pem).joined()) == test.chain)
    }

    @Test("ML-DSA leaves carry the same SPDM profile as ECDSA leaves")
    func sameProfile() throws {
        for kind in [CertificateKind.responderLeaf, .requesterLeaf] {
            let pqc = try MLDSATestChain(.mlDsa65, leafKind: kind)
            let classic = try TestChain(.ecdsaP384, leafKind: kind)
            #expect(pqc.leaf.extendedKeyUsageOIDs == classic.leaf.extendedKeyUsageOIDs)
            #expect(pqc.leaf.hasHardwareIdentity && classic.leaf.hasHardwareIdentity)
            for oid in ["2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17", SPDMObjectIdentifiers.spdmExtension] {
                #expect(X509Extensions.rawValue(oid: oid, of: pqc.leaf.handle.x509) == X509Extensions.rawValue(oid: oid, of: classic.leaf.handle.x509),
                        "extension \(oid)")
            }
            #expect(extensionLayout(pqc.leaf) == extensionLayout(classic.leaf))
            #expect(extensionLayout(pqc.intermediate) == extensionLayout(classic.intermediate))
            #expect(extensionLayout(pqc.root) == extensionLayout(classic.root))
        }
        // Key identifiers: SHA-1 of the key bits, and the AKID names the issuer's SKID.
        let pqc = try MLDSATestChain(.mlDsa87)
        let skid = X509_get0_subject_key_id(pqc.intermediate.handle.x509)
        let akid = X509_get0_authority_key_id(pqc.leaf.handle.x509)
        #expect(skid != nil && akid != nil && ASN1_OCTET_STRING_cmp(skid, akid) == 0)
        #expect(X509Extensions.rawValue(oid: "2.5.29.14", of: pqc.leaf.handle.x509)
                == DER.octetString(try MLDSACertificateBuilder.keyIdentifier(subjectPublicKeyInfo: pqc.leafKey.publicKey.subjectPublicKeyInfoDER)))
    }

    @Test("a tampered, foreign or mislabelled ML-DSA certificate fails, naming it")
    func failures() throws {
        let test = try MLDSATestChain(.mlDsa65)
        let other = try MLDSATestChain(.mlDsa65)
        #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: test.chain, trustedRoots: [other.root]) }
        // The other chain's leaf claims this intermediate as issuer name-wise only after re-signing: mix the links.
        #expect(throws: CryptoError.self) {
            try ChainVerifier.verify(chain: [test.root, test.intermediate, other.leaf], trustedRoots: [test.root])
        }
        do {
            try ChainVerifier.verify(chain: [test.root, test.leaf, test.intermediate], trustedRoots: [test.root])
            Issue.record("swapped chain verified")
        } catch let error as CryptoError {
            #expect(error.message.contains("certificate 1"))
        }
        // Flip one bit of the leaf's signature (its last byte) and of its TBSCertificate (the CN).
        var badSignature = test.leaf.der
        badSignature[badSignature.count - 1] ^= 0x01
        #expect(!ChainVerifier.issues(test.intermediate, try Certificate(der: badSignature), options: .init()))
        var badTBS = test.leaf.der
        let cn = try #require(firstRange(of: Array("Test ML-DSA-65 Leaf".utf8), in: badTBS))
        badTBS[cn.lowerBound] ^= 0x20
        #expect(!ChainVerifier.issues(test.intermediate, try Certificate(der: badTBS), options: .init()))
        // The right bytes, but the issuer's key is of the other parameter set.
        let bigger = try MLDSATestChain(.mlDsa87)
        #expect(!ChainVerifier.issues(bigger.intermediate, test.leaf, options: .init()))
        // A leaf is not a CA: nothing it signs is accepted.
        let issuedByLeaf = try MLDSACertificateBuilder.makeCertificate(
            profile: CertificateRequestProfile(kind: .responderLeaf, commonName: "below a leaf"),
            subjectKey: try PrivateKey.generate(.mlDsa65).publicKey, issuer: test.leaf, signingKey: mlDsaKey(test.leafKey))
        #expect(!ChainVerifier.issues(test.leaf, issuedByLeaf, options: .init()))
    }

    @Test("a certificate whose ML-DSA key is malformed parses, says its key is unusable and verifies nothing")
    func unusableKey() throws {
        let test = try MLDSATestChain(.mlDsa65)
        // Relabel the root's SubjectPublicKeyInfo as ML-DSA-87: a 1952-byte key cannot be one.
        let spkiHeader: [UInt8] = [0x30, 0x0B, 0x06, 0x09] + PQCSignatureAlgorithm.mlDsa65.objectIdentifierContent + [0x03, 0x82, 0x07, 0xA1]
        let at = try #require(firstRange(of: spkiHeader, in: test.root.der))
        var relabelled = test.root.der
        relabelled[at.lowerBound + 12] = 0x13
        let root = try Certificate(der: relabelled)
        #expect(throws: CryptoError.self) { try root.subjectPublicKey() }
        #expect(!root.isSelfSigned)
        #expect(!ChainVerifier.issues(root, test.intermediate, options: .init()))
        #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: [root, test.intermediate, test.leaf], trustedRoots: [root]) }
        #expect(try test.leaf.subjectPublicKey().matches(.mlDsa65))
    }

    @Test("ML-DSA issues traditional leaves; a traditional key cannot issue an ML-DSA certificate")
    func mixedKeys() throws {
        let test = try MLDSATestChain(.mlDsa87)
        let ecLeaf = try CertificateFactory.makeCertificate(commonName: "EC leaf", subjectKey: TestKeys.p384.publicKey, issuer: test.intermediate,
                                                            issuerKey: test.interKey, serial: 9, validityDays: 30, kind: .responderLeaf)
        try ChainVerifier.verify(chain: [test.root, test.intermediate, ecLeaf], trustedRoots: [test.root])
        #expect(ecLeaf.publicKey.matches(.ecdsaP384))
        let ecRoot = try TestChain(.ecdsaP384).root
        #expect(throws: CryptoError.self) {
            try CertificateFactory.makeCertificate(commonName: "x", subjectKey: test.leafKey.publicKey, issuer: ecRoot,
                                                   issuerKey: TestKeys.p384, serial: 1, validityDays: 1, kind: .responderLeaf)
        }
    }

    @Test("the certificate signature fields reader refuses malformed input")
    func fieldsReader() throws {
        let der = try MLDSATestChain(.mlDsa65).leaf.der
        #expect(throws: CryptoError.self) { try CertificateSignatureFields(der: Array(der.dropLast())) }
        #expect(throws: CryptoError.self) { try CertificateSignatureFields(der: der + [0]) }
        #expect(throws: CryptoError.self) { try CertificateSignatureFields(der: []) }
        #expect(throws: CryptoError.self) { try CertificateSignatureFields(der: [0x30, 0x84, 0, 0, 0, 1, 0]) }
    }

    /// (OID, critical) of each extension, in order.
    private func extensionLayout(_ certificate: Certificate) -> [String] {
        (0..<X509_get_ext_count(certificate.handle.x509)).map { index in
            let ext = X509_get_ext(certificate.handle.x509, index)
            let nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext))
            return "\(nid):\(X509_EXTENSION_get_critical(ext))"
        }
    }

    private func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
            .map { $0..<($0 + needle.count) }
    }

    private func mlDsaKey(_ key: PrivateKey) throws -> MLDSASigningKey {
        guard case .mlDsa(let signingKey) = key.storage else { throw CryptoError("not ML-DSA") }
        return signingKey
    }
}
