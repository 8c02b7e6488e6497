import Testing
import SPDMCrypto

private func hex(_ text: String) -> [UInt8] { [UInt8](spdmHex: text)! }

@Suite("AEAD and DHE")
struct CryptoPrimitiveTests {
    @Test("AES-128-GCM, NIST GCM spec test case 4 (with AAD)")
    func aes128GCMVector() throws {
        let key = hex("feffe9928665731c6d6a8f9467308308")
        let iv = hex("cafebabefacedbaddecaf888")
        let plaintext = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let expected = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
            + "5bc94fbc3221a5db94fae95ae7121a47"
        let sealed = try AEAD.seal(.aes128GCM, key: key, iv: iv, aad: aad, plaintext: plaintext)
        #expect(sealed.spdmHex == expected)
        #expect(try AEAD.open(.aes128GCM, key: key, iv: iv, aad: aad, sealed: sealed) == plaintext)
    }

    @Test("ChaCha20-Poly1305, RFC 8439 §2.8.2")
    func chachaVector() throws {
        let key = [UInt8](0x80...0x9F)
        let nonce = hex("070000004041424344454647")
        let aad = hex("50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let sealed = try AEAD.seal(.chacha20Poly1305, key: key, iv: nonce, aad: aad, plaintext: plaintext)
        #expect(Array(sealed.prefix(16)).spdmHex == "d31a8d34648e60db7b86afbc53ef7ec2")
        #expect(Array(sealed.suffix(16)).spdmHex == "1ae10b594f09e26a7e902ecbd0600691")
        #expect(try AEAD.open(.chacha20Poly1305, key: key, iv: nonce, aad: aad, sealed: sealed) == plaintext)
    }

    @Test("AES-256-GCM round trip; a flipped bit in ciphertext, tag or AAD fails", arguments: AEADAlgorithm.allCases)
    func tamper(_ algorithm: AEADAlgorithm) throws {
        let key = [UInt8](repeating: 7, count: algorithm.keySize)
        let iv = [UInt8](repeating: 9, count: 12)
        let sealed = try AEAD.seal(algorithm, key: key, iv: iv, aad: [1, 2, 3], plaintext: Array("secret".utf8))
        #expect(try AEAD.open(algorithm, key: key, iv: iv, aad: [1, 2, 3], sealed: sealed) == Array("secret".utf8))
        for index in [0, sealed.count - 1] {
            var bad = sealed
            bad[index] ^= 1
            #expect(throws: AEADAuthenticationError.self) { try AEAD.open(algorithm, key: key, iv: iv, aad: [1, 2, 3], sealed: bad) }
        }
        #expect(throws: AEADAuthenticationError.self) { try AEAD.open(algorithm, key: key, iv: iv, aad: [1, 2, 4], sealed: sealed) }
        // MAC only: an empty plaintext gives just the tag over the AAD.
        let tag = try AEAD.seal(algorithm, key: key, iv: iv, aad: [5, 6], plaintext: [])
        #expect(tag.count == 16)
        #expect(try AEAD.open(algorithm, key: key, iv: iv, aad: [5, 6], sealed: tag) == [])
    }

    @Test("DHE agreement round trip in every group", arguments: DHEGroup.allCases)
    func dheRoundTrip(_ group: DHEGroup) throws {
        let a = try DHEKeyPair(group: group)
        let b = try DHEKeyPair(group: group)
        #expect(a.exchangeData.count == group.exchangeDataSize)
        let secretA = try a.sharedSecret(peerExchangeData: b.exchangeData)
        let secretB = try b.sharedSecret(peerExchangeData: a.exchangeData)
        #expect(secretA == secretB)
        #expect(secretA.count == group.sharedSecretSize)
        #expect(throws: (any Error).self) { try a.sharedSecret(peerExchangeData: [UInt8](repeating: 0, count: group.exchangeDataSize)) }
        #expect(throws: (any Error).self) { try a.sharedSecret(peerExchangeData: [1, 2, 3]) }
    }
}
