import Foundation
import SPDMCrypto
import SPDMDevice
import Testing

/// The builtin CA in libspdm's sample-key layout, ML-DSA included (SPDM 1.4 PqcAsymAlgo).
@Suite("Builtin certificate authority")
struct CertificateAuthorityTests {
    @Test("the ML-DSA builtin CA writes mldsa65/ and mldsa87/ like libspdm's sample keys, with verifying chains",
          arguments: PQCSignatureAlgorithm.allCases)
    func mlDsaAuthority(_ algorithm: PQCSignatureAlgorithm) throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("spdm-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }

        let authority = try CertificateAuthority.builtin(stateDirectory: state, algorithm: algorithm)
        let name = CertificateAuthority.directoryName(for: algorithm)
        #expect(name == (algorithm == .mlDsa65 ? "mldsa65" : "mldsa87"))
        #expect(authority.directory == state + "/ca/" + name)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: authority.directory))
        #expect(files.isSuperset(of: ["ca.cert.der", "ca1.cert.der", "ca.key", "inter.cert.der", "inter.key",
                                      "end_responder.cert.der", "end_responder.key", "bundle_responder.certchain.der",
                                      "end_requester.cert.der", "end_requester.key", "bundle_requester.certchain.der"]), "\(files)")
        for role in ["responder", "requester"] {
            let bundle = try Data(contentsOf: URL(fileURLWithPath: "\(authority.directory)/bundle_\(role).certchain.der"))
            let chain = try Certificate.parseConcatenatedDER(Array(bundle))
            #expect(chain.count == 3 && chain[0] == authority.root && chain[1] == authority.intermediate)
            try ChainVerifier.verify(chain: chain, trustedRoots: [authority.root])
            let key = try PrivateKey(pem: try String(contentsOfFile: "\(authority.directory)/end_\(role).key", encoding: .utf8))
            #expect(key.matches(algorithm))
            #expect(key.publicKey.subjectPublicKeyInfoDER == chain[2].publicKey.subjectPublicKeyInfoDER)
            let eku = chain[2].extendedKeyUsageOIDs
            #expect(eku.contains(role == "responder" ? SPDMObjectIdentifiers.responderAuthEKU : SPDMObjectIdentifiers.requesterAuthEKU))
        }
        #expect(authority.intermediateKey.matches(algorithm) && authority.root.isSelfSigned)
        let permissions = try FileManager.default.attributesOfItem(atPath: authority.directory + "/inter.key")[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        // The second use loads what the first wrote.
        let again = try CertificateAuthority.builtin(stateDirectory: state, algorithm: algorithm)
        #expect(again.root == authority.root && again.intermediate == authority.intermediate)
        let loaded = try CertificateAuthority.load(directory: state + "/ca", algorithm: algorithm)
        #expect(loaded.intermediateKey.publicKey.subjectPublicKeyInfoDER == authority.intermediateKey.publicKey.subjectPublicKeyInfoDER)
    }
}
