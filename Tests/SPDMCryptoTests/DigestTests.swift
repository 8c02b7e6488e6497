import Testing
@testable import SPDMCrypto

@Suite("Digest and HashStream")
struct DigestTests {
    /// FIPS 180-4 / FIPS 202 / GB/T 32905 "abc" vectors.
    static let abcVectors: [(HashAlgorithm, String)] = [
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        (.sha3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
        (.sha3_384, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"),
        (.sha3_512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"),
        (.sm3_256, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    ]

    @Test("abc known answers", arguments: abcVectors.map { $0.0 })
    func abc(_ algorithm: HashAlgorithm) {
        let expected = Self.abcVectors.first { $0.0 == algorithm }!.1
        let digest = Digest.hash(algorithm, Array("abc".utf8))
        #expect(digest.spdmHex == expected)
        #expect(digest.count == algorithm.digestSize)
    }

    @Test("every algorithm has a vector")
    func coverage() {
        #expect(Set(Self.abcVectors.map { $0.0 }) == Set(HashAlgorithm.allCases))
    }

    @Test("stream equals one-shot, finalize is non-destructive", arguments: HashAlgorithm.allCases)
    func stream(_ algorithm: HashAlgorithm) {
        var stream = HashStream(algorithm)
        stream.update(Array("a".utf8))
        let partial = stream.finalize()
        #expect(partial == Digest.hash(algorithm, Array("a".utf8)))
        stream.update(Array("bc".utf8))
        #expect(stream.finalize() == Digest.hash(algorithm, Array("abc".utf8)))
        #expect(stream.finalize() == stream.finalize())
    }

    @Test("copies are independent (copy-on-write)")
    func copyOnWrite() {
        var original = HashStream(.sha384)
        original.update([1, 2, 3])
        var fork = original
        fork.update([4])
        original.update([5])
        #expect(original.finalize() == Digest.hash(.sha384, [1, 2, 3, 5]))
        #expect(fork.finalize() == Digest.hash(.sha384, [1, 2, 3, 4]))
        let explicit = fork.copy()
        fork.update([6])
        #expect(explicit.finalize() == Digest.hash(.sha384, [1, 2, 3, 4]))
    }

    @Test("empty input")
    func empty() {
        #expect(Digest.hash(.sha256, []).spdmHex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(HashStream(.sha256).finalize() == Digest.hash(.sha256, []))
    }
}
