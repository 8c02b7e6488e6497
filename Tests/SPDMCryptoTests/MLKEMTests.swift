import Foundation
import Testing
@testable import SPDMCrypto

@Suite("ML-KEM (FIPS 203) key encapsulation")
struct MLKEMTests {
    @Test("key from seed, SPKI and PKCS#8 equal Python's; Python's ciphertexts decapsulate to its secrets", arguments: KEMAlgorithm.allCases)
    func knownAnswers(_ algorithm: KEMAlgorithm) throws {
        let vectors = try PQCVectors(PQCVectors.name(algorithm))
        let pair = try KEMKeyPair(algorithm: algorithm, seed: try vectors["seed"])
        #expect(pair.encapsulationKey == (try vectors["encapsulation_key"]))
        #expect(pair.encapsulationKey.count == algorithm.encapsulationKeySize)
        #expect(pair.publicKey.subjectPublicKeyInfoDER == (try vectors["spki"]))
        #expect(pair.pkcs8DER == (try vectors["pkcs8"]))
        #expect(try pair.decapsulate(try vectors["ciphertext"]) == (try vectors["shared_secret"]))
        // FIPS 203 implicit rejection: a tampered ciphertext gives J(z || c'), the same in both implementations.
        #expect(try pair.decapsulate(try vectors["tampered_ciphertext"]) == (try vectors["tampered_shared_secret"]))
        let imported = try KEMKeyPair(pkcs8DER: try vectors["pkcs8"])
        #expect(imported.encapsulationKey == pair.encapsulationKey)
        #expect(try KEMEncapsulationKey(subjectPublicKeyInfoDER: try vectors["spki"]).rawRepresentation == pair.encapsulationKey)
    }

    @Test("encapsulate to a Requester's key, decapsulate to the same 32-byte secret", arguments: KEMAlgorithm.allCases)
    func roundTrip(_ algorithm: KEMAlgorithm) throws {
        let requester = try KEMKeyPair(algorithm: algorithm)
        let responderSide = try KEMEncapsulationKey(algorithm: algorithm, encapsulationKey: requester.encapsulationKey)
        let encapsulation = try responderSide.encapsulate()
        #expect(encapsulation.ciphertext.count == algorithm.ciphertextSize)
        #expect(encapsulation.sharedSecret.count == KEMAlgorithm.sharedSecretSize)
        #expect(try requester.decapsulate(encapsulation.ciphertext) == encapsulation.sharedSecret)
        #expect(try responderSide.encapsulate().sharedSecret != encapsulation.sharedSecret)
        #expect(try KEMKeyPair(pem: requester.pkcs8PEM).encapsulationKey == requester.encapsulationKey)
    }

    @Test("a peer's bad exchange data is refused with an error, never a trap", arguments: KEMAlgorithm.allCases)
    func badInput(_ algorithm: KEMAlgorithm) throws {
        let pair = try KEMKeyPair(algorithm: algorithm)
        let ek = pair.encapsulationKey
        #expect(throws: CryptoError.self) { try KEMEncapsulationKey(algorithm: algorithm, encapsulationKey: Array(ek.dropLast())) }
        #expect(throws: CryptoError.self) { try KEMEncapsulationKey(algorithm: algorithm, encapsulationKey: []) }
        // FIPS 203 §7.2 modulus check: 12-bit coefficients of 0xFFF (>= q = 3329) are not a key.
        var unreduced = ek
        for index in 0..<48 { unreduced[index] = 0xFF }
        #expect(throws: CryptoError.self) { try KEMEncapsulationKey(algorithm: algorithm, encapsulationKey: unreduced) }
        #expect(throws: CryptoError.self) { try pair.decapsulate([UInt8](repeating: 0, count: algorithm.ciphertextSize - 1)) }
        #expect(throws: CryptoError.self) { try pair.decapsulate([]) }
        #expect(throws: CryptoError.self) { try KEMKeyPair(algorithm: algorithm, seed: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) { try KEMKeyPair(pkcs8DER: try PQCVectors("mldsa65")["pkcs8"]) }
    }

    @Test("PKCS#8 'both' form: the expanded key must hold the seed's ek, H(ek) and z")
    func bothForm() throws {
        let vectors = try PQCVectors("mlkem768")
        let seed = try vectors["seed"], ek = try vectors["encapsulation_key"]
        let expanded = [UInt8](repeating: 3, count: 1152) + ek + Digest.hash(.sha3_256, ek) + Array(seed[32..<64])
        let oid = DER.sequence(DER.objectIdentifier(content: KEMAlgorithm.mlKem768.objectIdentifierContent))
        func pkcs8(_ key: [UInt8]) -> [UInt8] { DER.sequence(DER.integer(0), oid, DER.octetString(key)) }
        #expect(try KEMKeyPair(pkcs8DER: pkcs8(DER.sequence(DER.octetString(seed), DER.octetString(expanded)))).encapsulationKey == ek)
        var wrongZ = expanded
        wrongZ[wrongZ.count - 1] ^= 1
        #expect(throws: CryptoError.self) { try KEMKeyPair(pkcs8DER: pkcs8(DER.sequence(DER.octetString(seed), DER.octetString(wrongZ)))) }
        #expect(throws: CryptoError.self) { try KEMKeyPair(pkcs8DER: pkcs8(DER.octetString(expanded))) }
    }
}
