import Testing
@testable import SPDMCrypto

/// PKCS#8 keys decoded by their named type, keys decoded on first use (DeferredPrivateKey.swift)
/// and the requester's certificate cache (CertificateCache.swift).
@Suite("Key decoding and certificate cache")
struct KeyDecodingTests {
    static let message = Array("deferred key message".utf8)

    @Test("a PKCS#8 PEM key reads back as the same key for every algorithm", arguments: SignatureAlgorithm.allCases)
    func pemRoundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        let read = try PrivateKey(pem: key.pkcs8PEM)
        #expect(read.keyType == key.keyType)
        #expect(read.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        let hash = TestKeys.hashes(for: algorithm)[0]
        let signature = try read.sign(algorithm, hash: hash, message: Self.message)
        #expect(key.publicKey.verify(algorithm, hash: hash, message: Self.message, signature: signature))
    }

    @Test("a checked PEM key is decoded when it first signs, and signs like the key itself",
          arguments: [SignatureAlgorithm.ecdsaP256, .ecdsaP384, .rsassa3072, .ed25519, .sm2])
    func deferred(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        let deferred = try #require(PrivateKey(checkedPEM: key.pkcs8PEM, keyType: key.keyType))
        #expect(deferred.keyType == key.keyType)
        #expect(deferred.matches(algorithm))
        let hash = TestKeys.hashes(for: algorithm)[0]
        let signature = try deferred.sign(algorithm, hash: hash, message: Self.message)
        #expect(key.publicKey.verify(algorithm, hash: hash, message: Self.message, signature: signature))
        #expect(deferred.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("a checked PEM that does not decode to the vouched type signs nothing (an error, no crash)")
    func deferredMismatch() throws {
        let wrongType = try #require(PrivateKey(checkedPEM: TestKeys.p256.pkcs8PEM, keyType: .ec(.p384)))
        #expect(throws: CryptoError.self) { try wrongType.sign(.ecdsaP384, hash: .sha384, message: Self.message) }
        let garbage = try #require(PrivateKey(checkedPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                              keyType: .ec(.p256)))
        #expect(throws: CryptoError.self) { try garbage.sign(.ecdsaP256, hash: .sha256, message: Self.message) }
        #expect(PrivateKey(checkedPEM: "", keyType: .mlDsa(.mlDsa65)) == nil, "ML-DSA keys are decoded at once")
    }

    @Test("the certificate cache hands back the certificate byte-identical DER decodes to, and starts over when full")
    func certificateCache() throws {
        let chain = TestChainBytes.make()
        let cache = CertificateCache(capacity: 2)
        let first = try Certificate.parseConcatenatedDER(chain, cache: cache)
        #expect(cache.count == first.count)
        let again = try Certificate.parseConcatenatedDER(chain, cache: cache)
        #expect(again == first)
        #expect(again.map(\.der) == (try Certificate.parseConcatenatedDER(chain)).map(\.der))
        #expect(throws: CryptoError.self) { try cache.certificate(der: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        let other = try cache.certificate(der: TestChainBytes.selfSigned(.ed25519).der)
        #expect(other.der != first[0].der)
        #expect(cache.count <= 2)
    }
}

/// A root → leaf chain as SPDM carries it (DER back to back), made here.
enum TestChainBytes {
    static func selfSigned(_ algorithm: SignatureAlgorithm) -> Certificate {
        let key = TestKeys.key(for: algorithm)
        return try! CertificateFactory.makeCertificate(profile: CertificateRequestProfile(kind: .root, commonName: "cache root"),
                                                       subjectKey: key.publicKey, issuer: nil, issuerKey: key)
    }

    static func make() -> [UInt8] {
        let rootKey = TestKeys.p256
        let root = selfSigned(.ecdsaP256)
        let leaf = try! CertificateFactory.makeCertificate(
            profile: CertificateRequestProfile(kind: .responderLeaf, commonName: "cache leaf"),
            subjectKey: TestKeys.p384.publicKey, issuer: root, issuerKey: rootKey)
        return root.der + leaf.der
    }
}
