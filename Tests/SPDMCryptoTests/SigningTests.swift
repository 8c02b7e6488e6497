import Testing
@testable import SPDMCrypto

@Suite("Signing")
struct SigningTests {
    static let message = Array("SPDM combined prefix || H(transcript) stand-in".utf8)

    @Test("sign/verify round trip for every algorithm and hash", arguments: SignatureAlgorithm.allCases)
    func roundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        #expect(key.matches(algorithm))
        for hash in TestKeys.hashes(for: algorithm) {
            let signature = try key.sign(algorithm, hash: hash, message: Self.message)
            #expect(signature.count == algorithm.signatureSize, "\(algorithm) \(hash)")
            #expect(key.publicKey.verify(algorithm, hash: hash, message: Self.message, signature: signature),
                    "\(algorithm) \(hash)")
            // Tampered signature and tampered message both fail.
            var bad = signature
            bad[bad.count / 2] ^= 0x01
            #expect(!key.publicKey.verify(algorithm, hash: hash, message: Self.message, signature: bad))
            #expect(!key.publicKey.verify(algorithm, hash: hash, message: Self.message + [0], signature: signature))
            // Wrong size is rejected, not crashed on.
            #expect(!key.publicKey.verify(algorithm, hash: hash, message: Self.message, signature: Array(signature.dropLast())))
        }
    }

    @Test("RSA/ECDSA signatures are bound to the hash", arguments: [SignatureAlgorithm.rsassa2048, .rsapss2048, .ecdsaP256])
    func hashBinding(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        let signature = try key.sign(algorithm, hash: .sha256, message: Self.message)
        #expect(!key.publicKey.verify(algorithm, hash: .sha384, message: Self.message, signature: signature))
    }

    @Test("RSASSA and RSAPSS are not interchangeable")
    func rsaPadding() throws {
        let key = TestKeys.rsa2048
        let pss = try key.sign(.rsapss2048, hash: .sha256, message: Self.message)
        #expect(!key.publicKey.verify(.rsassa2048, hash: .sha256, message: Self.message, signature: pss))
        // PKCS#1 v1.5 is deterministic; PSS is randomized.
        #expect(try key.sign(.rsassa2048, hash: .sha256, message: Self.message)
                == key.sign(.rsassa2048, hash: .sha256, message: Self.message))
        #expect(try key.sign(.rsapss2048, hash: .sha256, message: Self.message) != pss)
    }

    @Test("key/algorithm mismatch")
    func mismatch() throws {
        #expect(!TestKeys.p256.matches(.ecdsaP384))
        #expect(!TestKeys.rsa2048.matches(.rsassa3072))
        #expect(TestKeys.rsa3072.matches(.rsapss3072))
        #expect(throws: CryptoError.self) { try TestKeys.p256.sign(.ecdsaP384, hash: .sha384, message: [1]) }
        let signature = try TestKeys.p256.sign(.ecdsaP256, hash: .sha256, message: [1])
        #expect(!TestKeys.p384.publicKey.verify(.ecdsaP256, hash: .sha256, message: [1], signature: signature))
        #expect(throws: CryptoError.self) { try TestKeys.sm2.sign(.sm2, hash: .sha256, message: [1]) }
    }

    @Test("EdDSA ignores the negotiated hash")
    func eddsaIgnoresHash() throws {
        let signature = try TestKeys.ed25519.sign(.ed25519, hash: .sha256, message: Self.message)
        #expect(TestKeys.ed25519.publicKey.verify(.ed25519, hash: .sha512, message: Self.message, signature: signature))
    }

    @Test("Ed448 context strings need OpenSSL support or throw")
    func ed448Context() throws {
        let context = Array("responder-challenge_auth signing".utf8)
        if Ed448ContextSupport.available {
            let signature = try TestKeys.ed448.sign(.ed448, hash: .sha384, message: Self.message, ed448Context: context)
            #expect(TestKeys.ed448.publicKey.verify(.ed448, hash: .sha384, message: Self.message, signature: signature,
                                                    ed448Context: context))
            #expect(!TestKeys.ed448.publicKey.verify(.ed448, hash: .sha384, message: Self.message, signature: signature))
        } else {
            #expect(throws: CryptoError.self) {
                try TestKeys.ed448.sign(.ed448, hash: .sha384, message: Self.message, ed448Context: context)
            }
        }
    }

    @Test("RFC 8032 Ed25519 test 1 (empty message)")
    func rfc8032() throws {
        let publicKey = try PublicKey(subjectPublicKeyInfoDER: [UInt8](spdmHex:
            "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")!)
        let signature = [UInt8](spdmHex: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")!
        #expect(publicKey.verify(.ed25519, hash: .sha256, message: [], signature: signature))
        #expect(!publicKey.verify(.ed25519, hash: .sha256, message: [0], signature: signature))
        // The same key from its RFC 8032 seed (PKCS#8 wrapping) signs deterministically to the vector.
        let privateKey = try PrivateKey(der: [UInt8](spdmHex:
            "302e020100300506032b657004220420" + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        #expect(try privateKey.sign(.ed25519, hash: .sha256, message: []) == signature)
        #expect(privateKey.publicKey.subjectPublicKeyInfoDER == publicKey.subjectPublicKeyInfoDER)
    }

    /// Produced by python `cryptography` 48.0 (ECDSA P-256 with SHA-256), r||s.
    @Test("ECDSA P-256 signature from python cryptography")
    func pythonECDSA() throws {
        let key = try PublicKey(subjectPublicKeyInfoDER: [UInt8](spdmHex:
            "3059301306072a8648ce3d020106082a8648ce3d03010703420004e2b8a1aa2d07fcd6164830450771fc7beb97fa4cced6ad2bca224dc847a2af6e9bbe0fa5cda9715f13313d590e02257dccaedc5c5efb07256322d4e3f302cc64")!)
        let message = Array("SPDM interop vector: python cryptography ECDSA P-256 / SHA-256".utf8)
        let signature = [UInt8](spdmHex: "75cc01e2317cdc10253b21ad589347a14e8ef4e9262ed914d2bb059b90b01ec81422e9cb00077414d204ed885c589b2abaa66da38ad2905aa847ce8e6f8ba3bc")!
        #expect(key.matches(.ecdsaP256))
        #expect(key.verify(.ecdsaP256, hash: .sha256, message: message, signature: signature))
        var tampered = signature
        tampered[0] ^= 0xFF
        #expect(!key.verify(.ecdsaP256, hash: .sha256, message: message, signature: tampered))
    }

    /// Produced by python `cryptography` 48.0: RSASSA-PSS, MGF1-SHA-384, salt 48 bytes.
    @Test("RSA-PSS 2048 / SHA-384 signature from python cryptography")
    func pythonPSS() throws {
        let key = try PublicKey(subjectPublicKeyInfoDER: [UInt8](spdmHex: Vectors.pssPublicKey)!)
        let message = Array("SPDM interop vector: python cryptography RSASSA-PSS 2048 / SHA-384".utf8)
        let signature = [UInt8](spdmHex: Vectors.pssSignature)!
        #expect(key.verify(.rsapss2048, hash: .sha384, message: message, signature: signature))
        #expect(!key.verify(.rsassa2048, hash: .sha384, message: message, signature: signature))
    }

    /// Produced by `openssl pkeyutl -sign -rawin -digest sm3` (OpenSSL 3.0, default = empty
    /// distinguishing ID), DER converted to r||s: checks our SM2 ID choice matches libspdm's.
    @Test("SM2 signature from the openssl CLI")
    func opensslSM2() throws {
        let key = try PublicKey(subjectPublicKeyInfoDER: [UInt8](spdmHex:
            "3059301306072a8648ce3d020106082a811ccf5501822d0342000457c3c28190fa08f48933e5875be253a842d11134d834d422570f74481ee157a40676cf33b3b7782c5a3009163b70904beb80b1fde7b7e936800723317895065d")!)
        let message = Array("SPDM interop vector: openssl CLI SM2 / SM3, empty distid".utf8)
        let signature = [UInt8](spdmHex:
            "069740FD19A7981573B1B254A8C3FFCE226EC5E282A4C20B6460FF91636A8C7B60E5AE2619B5CC22D37058554CDF1DB9AFA2B726D8B5BB78BCB80D5D672FDC53")!
        #expect(key.matches(.sm2))
        #expect(key.verify(.sm2, hash: .sm3_256, message: message, signature: signature))
        #expect(!key.verify(.sm2, hash: .sm3_256, message: message + [0], signature: signature))
    }

    @Test("PEM round trip of generated keys", arguments: SignatureAlgorithm.allCases)
    func pemRoundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(for: algorithm)
        #expect(key.pkcs8PEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let reloaded = try PrivateKey(pem: key.pkcs8PEM)
        #expect(reloaded.matches(algorithm))
        #expect(reloaded.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
        let fromDER = try PrivateKey(der: key.pkcs8DER)
        let signature = try fromDER.sign(algorithm, hash: TestKeys.hashes(for: algorithm)[0], message: [7])
        #expect(key.publicKey.verify(algorithm, hash: TestKeys.hashes(for: algorithm)[0], message: [7], signature: signature))
    }

    @Test("garbage keys are rejected with OpenSSL's reasons")
    func garbage() {
        do {
            _ = try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            Issue.record("parsed garbage")
        } catch let error as CryptoError {
            #expect(!error.openSSLErrors.isEmpty)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfoDER: [0x30, 0x00]) }
    }
}

enum Vectors {
    static let pssPublicKey = "30820122300d06092a864886f70d01010105000382010f003082010a0282010100aa63a70c135989eb53f49bbd51c0164300a5534cf5d9350bbaa1ba17e3eba25a71b784164e2ee8ada12d72423028565247427ff6c5118843559948a95a24fb8b56aaa41290c3622c09ec985b3b28e8a1f8d27bc8a1605e5f645fe891f2a6fa52e787beeeaa4cdcdf9a0beb2bda0f3874b872d3758281ebf104b95ed57f9a86ba30e6a229d8115e40388b41241e8eb8be6212f869d65fff2269b34f346ba2f7bedea6d8f411dd95afbb9a5f427df80628d8f37fe71e784b6ca6e8232f9e531836d18bab0696f4df92359b7a5b7bdfc31fbacd2f13065a77245d49405641fd0717fcd05187df630450f2a6034a50ddb2a0733fefe6f6289c58259805d4d7118f2f0203010001"
    static let pssSignature = "5c2dcc29f76df5de7915049996e297ff9636b1cfa8881bfe21d63d09efeb16a66fc0fb5e743701374e907a6b98904ef3dd041e94b69f2fbc77cbc351a017ce2ee0a08f0c8a281c7d6be17c0e810464bcf14504a86fc99328e925838056f662909a6b709d7ba1ef8e6f9e238a7cfaa4c78eacf5033d3b3cb20f186979bd66f53d10e51a4843a4f8a6128eb3aa232d18f66f71cc31e2e02ba04d8d8280bb7e93f04f9f81744dfc8d2da90c42229eea4c75bcf4a3a6c5c4be54e8eb4fab3f68a054ec406c97395631e09728c8d067bda23740284eff5f638a4dd5cf9baa4611b5a159830bb1563cd512f8c642d09406f335c8bd5766b5dc4accf0844ca7585e91c1"
}
