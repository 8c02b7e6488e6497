import Foundation
import Testing
@testable import SPDMCrypto

/// A root → intermediate → leaf chain built with CertificateFactory.
struct TestChain {
    let rootKey: PrivateKey, interKey: PrivateKey, leafKey: PrivateKey
    let root: Certificate, intermediate: Certificate, leaf: Certificate
    var chain: [Certificate] { [root, intermediate, leaf] }

    init(_ algorithm: SignatureAlgorithm, leafKind: CertificateKind = .responderLeaf,
         leafNotBefore: Date = Date().addingTimeInterval(-3600), leafDays: Int = 3650) throws {
        rootKey = try PrivateKey.generate(algorithm.keyType == .rsa(bits: 4096) ? .ecdsaP384 : algorithm)
        interKey = try PrivateKey.generate(algorithm.keyType == .rsa(bits: 4096) ? .ecdsaP384 : algorithm)
        leafKey = TestKeys.key(for: algorithm)
        root = try CertificateFactory.makeCertificate(commonName: "Test \(algorithm.rawValue) Root", subjectKey: rootKey.publicKey,
                                                      issuer: nil, issuerKey: rootKey, serial: 1, validityDays: 3650, kind: .root)
        intermediate = try CertificateFactory.makeCertificate(commonName: "Test \(algorithm.rawValue) Intermediate",
                                                              subjectKey: interKey.publicKey, issuer: root, issuerKey: rootKey,
                                                              serial: 2, validityDays: 3650, kind: .intermediate)
        let profile = CertificateRequestProfile(kind: leafKind, commonName: "Test \(algorithm.rawValue) Leaf", serialNumber: 3,
                                                notBefore: leafNotBefore, validityDays: leafDays,
                                                deviceInfo: "ACME:WIDGET:1234567890")
        leaf = try CertificateFactory.makeCertificate(profile: profile, subjectKey: leafKey.publicKey,
                                                      issuer: intermediate, issuerKey: interKey)
    }
}

@Suite("Certificates")
struct CertificateTests {
    @Test("factory builds a verifiable chain for every algorithm", arguments: SignatureAlgorithm.allCases)
    func chainPerAlgorithm(_ algorithm: SignatureAlgorithm) throws {
        let chain = try TestChain(algorithm)
        try ChainVerifier.verify(chain: chain.chain, trustedRoots: [chain.root])
        #expect(chain.leaf.publicKey.matches(algorithm))
        #expect(chain.root.isSelfSigned && chain.root.isCA)
        #expect(!chain.intermediate.isSelfSigned && chain.intermediate.isCA)
        #expect(!chain.leaf.isCA)
        #expect(chain.leaf.version == 2)
        #expect(chain.leaf.subject == "CN=Test \(algorithm.rawValue) Leaf")
        #expect(chain.leaf.issuer == chain.intermediate.subject)
    }

    @Test("leaf profile carries the SPDM extensions")
    func leafProfile() throws {
        let chain = try TestChain(.ecdsaP384)
        #expect(chain.leaf.extendedKeyUsageOIDs.contains(SPDMObjectIdentifiers.responderAuthEKU))
        #expect(!chain.leaf.extendedKeyUsageOIDs.contains(SPDMObjectIdentifiers.requesterAuthEKU))
        #expect(chain.leaf.hasHardwareIdentity)
        #expect(!chain.intermediate.hasHardwareIdentity)
        #expect(chain.intermediate.pathLengthConstraint == 0)
        #expect(chain.root.pathLengthConstraint == nil)
        // libspdm requires a leaf's basicConstraints value to be exactly the empty SEQUENCE (cA FALSE).
        #expect(X509Extensions.rawValue(oid: "2.5.29.19", of: chain.leaf.handle.x509) == [0x30, 0x00])
        let requester = try TestChain(.ecdsaP256, leafKind: .requesterLeaf)
        #expect(requester.leaf.extendedKeyUsageOIDs.contains(SPDMObjectIdentifiers.requesterAuthEKU))
        // Both, so libspdm's sample reader (which checks it as a responder cert) accepts it too.
        #expect(requester.leaf.extendedKeyUsageOIDs.contains(SPDMObjectIdentifiers.responderAuthEKU))
    }

    @Test("wrong root fails")
    func wrongRoot() throws {
        let chain = try TestChain(.ecdsaP256)
        let other = try TestChain(.ecdsaP256)
        #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: chain.chain, trustedRoots: [other.root]) }
        #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: chain.chain, trustedRoots: []) }
    }

    @Test("chain not starting at the root but issued by a trusted root passes")
    func anchoredBelowRoot() throws {
        let chain = try TestChain(.ecdsaP256)
        try ChainVerifier.verify(chain: [chain.intermediate, chain.leaf], trustedRoots: [chain.root])
        #expect(throws: CryptoError.self) {
            try ChainVerifier.verify(chain: [chain.leaf], trustedRoots: [chain.root])
        }
    }

    @Test("swapped order fails, naming the certificate")
    func swapped() throws {
        let chain = try TestChain(.ecdsaP256)
        do {
            try ChainVerifier.verify(chain: [chain.root, chain.leaf, chain.intermediate], trustedRoots: [chain.root])
            Issue.record("swapped chain verified")
        } catch let error as CryptoError {
            #expect(error.message.contains("certificate 1"))
        }
    }

    @Test("expired leaf fails at the time passed in; without a time validity is not checked")
    func expired() throws {
        let now = Date()
        let longAgo = now.addingTimeInterval(-86_400 * 30)
        let chain = try TestChain(.ecdsaP256, leafNotBefore: longAgo, leafDays: 10)
        do {
            try ChainVerifier.verify(chain: chain.chain, trustedRoots: [chain.root], options: .init(validAt: now))
            Issue.record("expired chain verified")
        } catch let error as CryptoError {
            #expect(error.message.contains("certificate 2") && error.message.contains("expired"))
        }
        try ChainVerifier.verify(chain: chain.chain, trustedRoots: [chain.root],
                                 options: .init(validAt: nil))
        try ChainVerifier.verify(chain: chain.chain, trustedRoots: [chain.root])
        // A good chain checked twenty years from now has expired too.
        let fresh = try TestChain(.ecdsaP256)
        #expect(throws: CryptoError.self) {
            try ChainVerifier.verify(chain: fresh.chain, trustedRoots: [fresh.root],
                                     options: .init(validAt: now.addingTimeInterval(86_400 * 365 * 20)))
        }
    }

    @Test("leaf cannot issue")
    func leafIssuing() throws {
        let chain = try TestChain(.ecdsaP256)
        #expect(throws: CryptoError.self) {
            try CertificateFactory.makeCertificate(commonName: "x", subjectKey: TestKeys.p384.publicKey, issuer: chain.leaf,
                                                   issuerKey: chain.leafKey, serial: 9, validityDays: 1, kind: .responderLeaf)
        }
    }

    @Test("pathLenConstraint is enforced")
    func pathLength() throws {
        let chain = try TestChain(.ecdsaP256)
        let subCAKey = try PrivateKey.generate(.ecdsaP256)
        let subCA = try CertificateFactory.makeCertificate(commonName: "Sub CA", subjectKey: subCAKey.publicKey,
                                                           issuer: chain.intermediate, issuerKey: chain.interKey,
                                                           serial: 5, validityDays: 30, kind: .intermediate)
        let leaf = try CertificateFactory.makeCertificate(commonName: "Deep leaf", subjectKey: TestKeys.p256.publicKey,
                                                          issuer: subCA, issuerKey: subCAKey, serial: 6,
                                                          validityDays: 30, kind: .responderLeaf)
        #expect(throws: CryptoError.self) {
            try ChainVerifier.verify(chain: [chain.root, chain.intermediate, subCA, leaf], trustedRoots: [chain.root])
        }
    }

    @Test("concatenated DER and PEM bundles parse in order")
    func bundles() throws {
        let chain = try TestChain(.ed25519)
        let body = chain.chain.flatMap { $0.der }
        let parsed = try Certificate.parseConcatenatedDER(body)
        #expect(parsed == chain.chain)
        #expect(throws: CryptoError.self) { try Certificate.parseConcatenatedDER(body + [0x30]) }
        #expect(throws: CryptoError.self) { try Certificate.parseConcatenatedDER(Array(body.dropLast())) }
        #expect(try Certificate.parseConcatenatedDER([]).isEmpty)
        let pem = chain.chain.map { $0.pem }.joined()
        #expect(try Certificate.parsePEMBundle(pem) == chain.chain)
        #expect(try Certificate(pem: chain.leaf.pem) == chain.leaf)
        #expect(throws: CryptoError.self) { try Certificate(der: chain.leaf.der + [0]) }
    }

    @Test("tampered certificate signature fails")
    func tampered() throws {
        let chain = try TestChain(.ecdsaP256)
        var der = chain.leaf.der
        der[der.count - 5] ^= 0x01  // inside the signature value
        let broken = try Certificate(der: der)
        #expect(throws: CryptoError.self) {
            try ChainVerifier.verify(chain: [chain.root, chain.intermediate, broken], trustedRoots: [chain.root])
        }
    }
}
