import Testing
@testable import SPDMCrypto

@Suite("HMAC and HKDF")
struct MACTests {
    @Test("RFC 4231 test case 1")
    func rfc4231Case1() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        let data = Array("Hi There".utf8)
        #expect(HMAC.authenticate(.sha256, key: key, data: data).spdmHex
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMAC.authenticate(.sha384, key: key, data: data).spdmHex
                == "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")
        #expect(HMAC.authenticate(.sha512, key: key, data: data).spdmHex
                == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
    }

    @Test("RFC 4231 test case 2")
    func rfc4231Case2() {
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(HMAC.authenticate(.sha256, key: key, data: data).spdmHex
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMAC.authenticate(.sha384, key: key, data: data).spdmHex
                == "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")
        #expect(HMAC.isValid(.sha256, key: key, data: data,
                             mac: [UInt8](spdmHex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")!))
    }

    @Test("HMAC works with an empty key and every hash", arguments: HashAlgorithm.allCases)
    func emptyKey(_ algorithm: HashAlgorithm) {
        let mac = HMAC.authenticate(algorithm, key: [], data: [1, 2, 3])
        #expect(mac.count == algorithm.digestSize)
        // RFC 2104: a short key is zero-padded to the block size, so "" and "\0" are the same key.
        #expect(mac == HMAC.authenticate(algorithm, key: [0], data: [1, 2, 3]))
    }

    static let ikm = [UInt8](repeating: 0x0b, count: 22)
    static let salt: [UInt8] = Array(0x00...0x0c)
    static let info: [UInt8] = Array(0xf0...0xf9)

    @Test("RFC 5869 test case 1 (SHA-256)")
    func rfc5869Case1() {
        let prk = HKDF.extract(.sha256, salt: Self.salt, inputKeyMaterial: Self.ikm)
        #expect(prk.spdmHex == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let okm = HKDF.expand(.sha256, pseudoRandomKey: prk, info: Self.info, outputCount: 42)
        #expect(okm.spdmHex == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// Same inputs with SHA-384, computed independently with python `cryptography` 48.0.
    @Test("HKDF SHA-384 (python cryptography vector)")
    func sha384() {
        let prk = HKDF.extract(.sha384, salt: Self.salt, inputKeyMaterial: Self.ikm)
        #expect(prk.spdmHex == "704b39990779ce1dc548052c7dc39f303570dd13fb39f7acc564680bef80e8dec70ee9a7e1f3e293ef68eceb072a5ade")
        let okm = HKDF.expand(.sha384, pseudoRandomKey: prk, info: Self.info, outputCount: 42)
        #expect(okm.spdmHex == "9b5097a86038b805309076a44b3a9f38063e25b516dcbf369f394cfab43685f748b6457763e4f0204fc5")
    }

    @Test("RFC 5869 test case 3: empty salt and info")
    func rfc5869Case3() {
        let prk = HKDF.extract(.sha256, salt: [], inputKeyMaterial: Self.ikm)
        #expect(prk.spdmHex == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        let okm = HKDF.expand(.sha256, pseudoRandomKey: prk, info: [], outputCount: 42)
        #expect(okm.spdmHex == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        #expect(prk == HMAC.authenticate(.sha256, key: [UInt8](repeating: 0, count: 32), data: Self.ikm))
    }

    @Test("HKDF works for every hash, expand is HMAC-based T(1)", arguments: HashAlgorithm.allCases)
    func everyHash(_ algorithm: HashAlgorithm) {
        let prk = HKDF.extract(algorithm, salt: [1, 2], inputKeyMaterial: [3, 4, 5])
        #expect(prk == HMAC.authenticate(algorithm, key: [1, 2], data: [3, 4, 5]))
        let okm = HKDF.expand(algorithm, pseudoRandomKey: prk, info: [9], outputCount: algorithm.digestSize)
        #expect(okm == HMAC.authenticate(algorithm, key: prk, data: [9, 1]))
    }
}
