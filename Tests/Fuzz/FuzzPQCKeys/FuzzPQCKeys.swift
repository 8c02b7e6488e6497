import SPDMCrypto
import SPDMFuzzMain
import SPDMFuzzSupport

/// The decoders SPDMCrypto added for SPDM 1.4's post-quantum algorithms, on hostile input: ML-DSA /
/// ML-KEM SubjectPublicKeyInfo and PKCS#8 (PQCKeyEncoding), certificates whose public key or
/// signature OpenSSL 3.0 does not know (the peer's GET_CERTIFICATE chain: Certificate's ML-DSA key,
/// CertificateSignatureFields, MLDSACertificateVerifier through ChainVerifier), and a peer's ML-KEM
/// exchange data (encapsulation key in KEY_EXCHANGE, ciphertext in KEY_EXCHANGE_RSP).
///
/// Properties: nothing traps; an ML-DSA SubjectPublicKeyInfo that parses re-encodes to the same bytes;
/// a certificate verifies under the fixed fuzz root only if that root's key signed it.
@_cdecl("FuzzPQCKeys_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzPQCKeys)
}

/// A root whose key comes from a fixed seed, so seed certificates made with it (Corpus/FuzzPQCKeys)
/// verify under the root built at start-up.
enum FuzzRoot {
    static let key = try! PrivateKey(.mlDsa65, seed: [UInt8](repeating: 0x5A, count: 32))
    static let certificate = try! CertificateFactory.makeCertificate(
        commonName: "spdm-fleet fuzz ML-DSA root", subjectKey: key.publicKey, issuer: nil, issuerKey: key,
        serial: 1, validityDays: 3650, kind: .root)
    static let kem = try! KEMKeyPair(algorithm: .mlKem768, seed: [UInt8](repeating: 0xA5, count: 64))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPQCKeys(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    if let key = try? PublicKey(subjectPublicKeyInfoDER: bytes), case .mlDsa = key.keyType {
        fuzzCheck(key.subjectPublicKeyInfoDER == bytes, "an ML-DSA SubjectPublicKeyInfo does not re-encode to its input")
        _ = key.verify(.mlDsa65, message: bytes, signature: bytes, context: [])
    }
    if let key = try? PrivateKey(der: bytes), case .mlDsa(let algorithm) = key.keyType {
        let signature = try? key.sign(algorithm, message: bytes, context: [])
        fuzzCheck(signature.map { key.publicKey.verify(algorithm, message: bytes, signature: $0, context: []) } == true,
                  "an imported ML-DSA key's signature does not verify")
    }
    if let pair = try? KEMKeyPair(pkcs8DER: bytes) {
        fuzzCheck((try? KEMKeyPair(pkcs8DER: pair.pkcs8DER))?.encapsulationKey == pair.encapsulationKey, "ML-KEM PKCS#8 round trip")
    }
    _ = try? KEMEncapsulationKey(subjectPublicKeyInfoDER: bytes)
    for algorithm in KEMAlgorithm.allCases where bytes.count == algorithm.encapsulationKeySize {
        if let key = try? KEMEncapsulationKey(algorithm: algorithm, encapsulationKey: bytes) { _ = try? key.encapsulate() }
    }
    if bytes.count == KEMAlgorithm.mlKem768.ciphertextSize {
        fuzzCheck((try? FuzzRoot.kem.decapsulate(bytes))?.count == KEMAlgorithm.sharedSecretSize, "decapsulation of a well-sized ciphertext failed")
    }
    if let certificate = try? Certificate(der: bytes) {
        _ = certificate.isSelfSigned
        _ = (try? certificate.subjectPublicKey())?.keyType
        let verified = (try? ChainVerifier.verify(chain: [FuzzRoot.certificate, certificate], trustedRoots: [FuzzRoot.certificate])) != nil
        if verified {
            fuzzCheck(certificate.issuer == FuzzRoot.certificate.subject, "a certificate verified under a root that did not issue it")
        }
    }
    return 0
}
