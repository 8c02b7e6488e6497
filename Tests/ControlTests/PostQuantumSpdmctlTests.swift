import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl attest` and `spdmctl session` against SPDM 1.4 post-quantum devices of the real daemon:
/// ML-DSA-65 / ML-KEM-768, encapsulated mutual authentication with the builtin CA's ML-DSA-65
/// requester key, and a hybrid device (ECDSA P-384 / SECP384R1 and ML-DSA-65 / ML-KEM-768, PQC first).
@Suite("spdmctl with post-quantum SPDM 1.4 devices", .serialized)
struct PostQuantumSpdmctlTests {
    /// One 1.4 device; `mutualAuth`: it asks for encapsulated mutual authentication with an ML-DSA-65 requester key.
    static func device(_ name: String, asym: String, dhe: String, kem: String, slots: [String], mutualAuth: Bool = false) -> String {
        let capabilities = mutualAuth ? ["MUT_AUTH", "ENCAP"] : []
        let extra = mutualAuth ? [#"mut_auth = "encapsulated""#] : []
        let caps = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD", "CHUNK"] + capabilities
        var lines = ["[[device]]", "name = \"\(name)\"", "transport = \"mctp\"", #"tcp = "127.0.0.1:0""#,
                     #"versions = ["1.2", "1.3", "1.4"]"#, "capabilities = [" + caps.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
                     "data_transfer_size = 4608", "max_spdm_msg_size = 65536"] + extra
        lines += ["  [device.algorithms]", "  asym = [\(asym)]", "  dhe = [\(dhe)]", "  kem = [\(kem)]", "  pqc_first = true"]
        if mutualAuth { lines.append(#"  req_asym = ["ML_DSA_65"]"#) }
        for algorithm in slots { lines += ["  [[device.slot]]", "  id = 0", "  generate = { ca = \"builtin\", algorithm = \"\(algorithm)\" }"] }
        lines += ["  [[device.measurement]]", "  index = 1", "  type = \"mutable_firmware\"", "  value = \"fw\""]
        return lines.joined(separator: "\n") + "\n\n"
    }

    static let config = device("pqc", asym: #""ML_DSA_65""#, dhe: "", kem: #""ML_KEM_768""#, slots: ["ML_DSA_65"])
        + device("pqcmutual", asym: #""ML_DSA_65""#, dhe: "", kem: #""ML_KEM_768""#, slots: ["ML_DSA_65"],
                 mutualAuth: true)
        + device("hybrid", asym: #""ECDSA_P384", "ML_DSA_65""#, dhe: #""SECP_384_R1""#, kem: #""ML_KEM_768""#,
                 slots: ["ECDSA_P384", "ML_DSA_65"])

    static func document(_ output: (status: Int32, stdout: String, stderr: String)) -> [String: Any] {
        json(output.stdout) as? [String: Any] ?? [:]
    }

    @Test("attest and session negotiate ML-DSA-65 and ML-KEM-768 and say so; ML-DSA mutual authentication; the hybrid device by --asym / --kem")
    func postQuantum() throws {
        let daemon = try TestDaemon(config: Self.config)
        let ca = daemon.directory + "/state/ca"
        let pqc = try #require(daemon.port("pqc")), mutual = try #require(daemon.port("pqcmutual")), hybrid = try #require(daemon.port("hybrid"))
        let mldsaRoot = ca + "/mldsa65/ca.cert.der"

        let text = try spdmctl(["attest", "--connect", "127.0.0.1:\(pqc)", "--root", mldsaRoot])
        #expect(text.status == 0, "\(text.stdout) \(text.stderr)")
        #expect(text.stdout.contains("pqc asym ML_DSA_65"), "\(text.stdout)")
        let attest = Self.document(try spdmctl(["attest", "--connect", "127.0.0.1:\(pqc)", "--root", mldsaRoot, "--json"]))
        #expect(attest["ok"] as? Bool == true)
        #expect((attest["algorithms"] as? [String: Any])?["pqcAsym"] as? String == "ML_DSA_65", "\(attest)")
        #expect((attest["algorithms"] as? [String: Any])?["asym"] == nil)

        let session = Self.document(try spdmctl(["session", "--connect", "127.0.0.1:\(pqc)", "--root", mldsaRoot, "--json"]))
        #expect(session["ok"] as? Bool == true, "\(session)")
        #expect(session["kem"] as? String == "ML_KEM_768")
        #expect(session["asym"] as? String == "ML_DSA_65")
        #expect(session["dhe"] == nil)

        let authenticated = Self.document(try spdmctl([
            "session", "--connect", "127.0.0.1:\(mutual)", "--root", mldsaRoot, "--json",
            "--requester-cert", ca + "/mldsa65/bundle_requester.certchain.der", "--requester-key", ca + "/mldsa65/end_requester.key",
        ]))
        #expect(authenticated["ok"] as? Bool == true, "\(authenticated)")
        #expect(authenticated["requesterAsym"] as? String == "ML_DSA_65")
        let sessions = authenticated["sessions"] as? [[String: Any]] ?? []
        #expect(sessions.first?["mutualAuth"] as? String == "encapsulated", "\(authenticated)")

        // Hybrid: PQC first by default; --asym ECDSA_P384 and --kem NONE ask for the classic ones.
        let first = Self.document(try spdmctl(["attest", "--connect", "127.0.0.1:\(hybrid)", "--root", mldsaRoot, "--json"]))
        #expect((first["algorithms"] as? [String: Any])?["pqcAsym"] as? String == "ML_DSA_65", "\(first)")
        let classic = Self.document(try spdmctl(["attest", "--connect", "127.0.0.1:\(hybrid)", "--root", ca + "/ecp384/ca.cert.der",
                                                 "--asym", "ECDSA_P384", "--json"]))
        #expect(classic["ok"] as? Bool == true, "\(classic)")
        #expect((classic["algorithms"] as? [String: Any])?["asym"] as? String == "ECDSA_P384")
        let dhe = Self.document(try spdmctl(["session", "--connect", "127.0.0.1:\(hybrid)", "--root", mldsaRoot, "--kem", "NONE", "--json"]))
        #expect(dhe["ok"] as? Bool == true, "\(dhe)")
        #expect(dhe["kem"] == nil)
        #expect(dhe["dhe"] != nil)
        #expect(dhe["asym"] as? String == "ML_DSA_65")

        let unknown = try spdmctl(["attest", "--connect", "127.0.0.1:\(pqc)", "--asym", "ML_DSA_44"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown --asym ML_DSA_44"), "\(unknown.stderr)")
        #expect(daemon.stop() == 0)
    }
}
