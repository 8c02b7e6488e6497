import Testing
@testable import SPDMCrypto

@Suite("Utilities")
struct UtilityTests {
    @Test("constant-time compare")
    func constantTime() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
        #expect(constantTimeEquals([], []))
        let a = SecureRandom.bytes(64)
        var b = a
        #expect(constantTimeEquals(a, b))
        b[63] ^= 0x80
        #expect(!constantTimeEquals(a, b))
    }

    @Test("secureZero zeroes in place")
    func zero() {
        var secret: [UInt8] = [1, 2, 3, 4]
        secureZero(&secret)
        #expect(secret == [0, 0, 0, 0])
        var empty: [UInt8] = []
        secureZero(&empty)
        #expect(empty.isEmpty)
    }

    @Test("random bytes")
    func random() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
    }

    @Test("hex round trip")
    func hex() {
        #expect([0x00, 0xAB, 0xff].spdmHex == "00abff")
        #expect([UInt8](spdmHex: "00ABff") == [0x00, 0xAB, 0xFF])
        #expect([UInt8](spdmHex: "00:ab ff") == [0x00, 0xAB, 0xFF])
        #expect([UInt8](spdmHex: "abc") == nil)
        #expect([UInt8](spdmHex: "zz") == nil)
        #expect([UInt8](spdmHex: "") == [])
    }

    @Test("signature sizes match DSP0274")
    func sizes() {
        let expected: [SignatureAlgorithm: Int] = [
            .rsassa2048: 256, .rsapss2048: 256, .rsassa3072: 384, .rsapss3072: 384,
            .rsassa4096: 512, .rsapss4096: 512, .ecdsaP256: 64, .ecdsaP384: 96, .ecdsaP521: 132,
            .ed25519: 64, .ed448: 114, .sm2: 64,
        ]
        for algorithm in SignatureAlgorithm.allCases { #expect(algorithm.signatureSize == expected[algorithm]) }
    }
}
