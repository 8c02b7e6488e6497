import Foundation
import Testing
@testable import SPDMCrypto

@Suite("ML-DSA (FIPS 204) signing keys")
struct MLDSATests {
    @Test("key from seed, SPKI and PKCS#8 equal Python's byte for byte", arguments: PQCSignatureAlgorithm.allCases)
    func keyFromSeed(_ algorithm: PQCSignatureAlgorithm) throws {
        let vectors = try PQCVectors(PQCVectors.name(algorithm))
        let key = try PrivateKey(algorithm, seed: try vectors["seed"])
        #expect(key.keyType == .mlDsa(algorithm))
        #expect(key.publicKey.mlDsaRawRepresentation == (try vectors["public_key"]))
        #expect(key.publicKey.subjectPublicKeyInfoDER == (try vectors["spki"]))
        #expect(key.pkcs8DER == (try vectors["pkcs8"]))
        // Python's encodings read back to the same key.
        let imported = try PrivateKey(der: try vectors["pkcs8"])
        #expect(imported.publicKey.subjectPublicKeyInfoDER == (try vectors["spki"]))
        let publicKey = try PublicKey(subjectPublicKeyInfoDER: try vectors["spki"])
        #expect(publicKey.keyType == .mlDsa(algorithm))
        #expect(publicKey.matches(algorithm) && !publicKey.matches(.ecdsaP384))
    }

    @Test("Python's signatures verify; a changed message, context or signature does not", arguments: PQCSignatureAlgorithm.allCases)
    func verifiesPythonSignature(_ algorithm: PQCSignatureAlgorithm) throws {
        let vectors = try PQCVectors(PQCVectors.name(algorithm))
        let key = try PublicKey(subjectPublicKeyInfoDER: try vectors["spki"])
        let message = try vectors["message"], context = try vectors["context"], signature = try vectors["signature"]
        #expect(signature.count == algorithm.signatureSize)
        #expect(key.verify(algorithm, message: message, signature: signature, context: context))
        #expect(key.verify(algorithm, message: message, signature: try vectors["signature_empty_context"], context: []))
        #expect(!key.verify(algorithm, message: message, signature: signature, context: []))
        #expect(!key.verify(algorithm, message: message + [0], signature: signature, context: context))
        var altered = signature
        altered[100] ^= 0x01
        #expect(!key.verify(algorithm, message: message, signature: altered, context: context))
        #expect(!key.verify(algorithm, message: message, signature: Array(signature.dropLast()), context: context))
        let other: PQCSignatureAlgorithm = algorithm == .mlDsa65 ? .mlDsa87 : .mlDsa65
        #expect(!key.verify(other, message: message, signature: signature, context: context))
    }

    @Test("the SPDM 1.4 message is combined_spdm_prefix || SHA-384(transcript) and the context is the signing context string")
    func spdmSigningInput() throws {
        let vectors = try PQCVectors("mldsa65")
        let context = Array("responder-challenge_auth signing".utf8)
        #expect(try vectors["context"] == context)
        let prefix = Array(String(repeating: "dmtf-spdm-v1.4.*", count: 4).utf8) + [UInt8](repeating: 0, count: 36 - context.count) + context
        #expect(try vectors["message"] == prefix + Digest.hash(.sha384, Array("spdm-fleet ML-DSA known-answer transcript".utf8)))
    }

    @Test("sign then verify, each signature fresh (hedged), wrong-key and wrong-algorithm refusals", arguments: PQCSignatureAlgorithm.allCases)
    func signVerify(_ algorithm: PQCSignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let message = Array("transcript hash".utf8), context = Array("responder-measurements signing".utf8)
        let first = try key.sign(algorithm, message: message, context: context)
        let second = try key.sign(algorithm, message: message, context: context)
        #expect(first.count == algorithm.signatureSize && first != second)
        #expect(key.publicKey.verify(algorithm, message: message, signature: first, context: context))
        #expect(key.publicKey.verify(algorithm, message: message, signature: second, context: context))
        #expect(!(try PrivateKey.generate(algorithm)).publicKey.verify(algorithm, message: message, signature: first, context: context))
        let other: PQCSignatureAlgorithm = algorithm == .mlDsa65 ? .mlDsa87 : .mlDsa65
        #expect(throws: CryptoError.self) { try key.sign(other, message: message, context: context) }
        #expect(throws: CryptoError.self) { try key.sign(algorithm, message: message, context: [UInt8](repeating: 1, count: 256)) }
        #expect(throws: CryptoError.self) { try key.sign(.ecdsaP384, hash: .sha384, message: message) }
        #expect(throws: CryptoError.self) { try TestKeys.p384.sign(algorithm, message: message, context: []) }
        #expect(!key.matches(.ecdsaP384) && key.matches(algorithm) && !key.matches(other))
        #expect(!key.publicKey.verify(.ecdsaP384, hash: .sha384, message: message, signature: first))
    }

    @Test("PEM round trip of private and public keys", arguments: PQCSignatureAlgorithm.allCases)
    func pemRoundTrip(_ algorithm: PQCSignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let pem = key.pkcs8PEM
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let back = try PrivateKey(pem: pem)
        #expect(back.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        let publicPEM = PEM.encode(key.publicKey.subjectPublicKeyInfoDER, label: "PUBLIC KEY")
        #expect(try PublicKey(pem: publicPEM).subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        // Traditional keys still go through OpenSSL.
        #expect(try PrivateKey(pem: TestKeys.p384.pkcs8PEM).keyType == .ec(.p384))
    }

    @Test("PKCS#8 'both' form (OpenSSL 3.5's default) is read from its seed; an expanded key that disagrees is refused")
    func bothForm() throws {
        let vectors = try PQCVectors("mldsa65")
        let seed = try vectors["seed"], publicKey = try vectors["public_key"]
        // FIPS 204 skEncode starts rho (= pk[0..<32]) || K || tr = SHAKE256(pk, 64); the rest is not checked.
        var expanded = Array(publicKey[0..<32]) + [UInt8](repeating: 7, count: 32) + Digest.shake256(publicKey, outputSize: 64)
        expanded += [UInt8](repeating: 0, count: 4032 - expanded.count)
        let both = pkcs8(DER.sequence(DER.octetString(seed), DER.octetString(expanded)))
        #expect(try PrivateKey(der: both).publicKey.mlDsaRawRepresentation == publicKey)
        var wrongTr = expanded
        wrongTr[70] ^= 1
        #expect(throws: CryptoError.self) { try PrivateKey(der: pkcs8(DER.sequence(DER.octetString(seed), DER.octetString(wrongTr)))) }
        #expect(throws: CryptoError.self) { try PrivateKey(der: pkcs8(DER.octetString(expanded))) }          // expanded only
        #expect(throws: CryptoError.self) { try PrivateKey(der: pkcs8(DER.implicitPrimitive(0, Array(seed.dropLast())))) }
        #expect(throws: CryptoError.self) { try PrivateKey(der: pkcs8(DER.implicitPrimitive(0, seed) + [0x05, 0x00])) }
        let withParameters = DER.sequence(DER.integer(0), DER.sequence(DER.objectIdentifier(content: PQCSignatureAlgorithm.mlDsa65.objectIdentifierContent), [0x05, 0x00]),
                                          DER.octetString(DER.implicitPrimitive(0, seed)))
        #expect(throws: CryptoError.self) { try PrivateKey(der: withParameters) }
    }

    @Test("malformed SubjectPublicKeyInfo is refused")
    func malformedPublicKey() throws {
        let spki = try PQCVectors("mldsa87")["spki"]
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfoDER: Array(spki.dropLast())) }
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfoDER: spki + [0]) }
        // An ML-DSA-87 key labelled ML-DSA-65: the length does not fit.
        var relabelled = spki
        relabelled[16] = 0x12
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfoDER: relabelled) }
        // ML-KEM keys are not signature keys.
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfoDER: try PQCVectors("mlkem768")["spki"]) }
        #expect(throws: CryptoError.self) { try PrivateKey(der: try PQCVectors("mlkem768")["pkcs8"]) }
    }

    private func pkcs8(_ privateKey: [UInt8]) -> [UInt8] {
        DER.sequence(DER.integer(0), DER.sequence(DER.objectIdentifier(content: PQCSignatureAlgorithm.mlDsa65.objectIdentifierContent)),
                     DER.octetString(privateKey))
    }
}
