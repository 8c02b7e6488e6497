import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl attest` exits with the status of the kind of check that failed (FailedCheck), and names
/// it on stderr and in --json: each kind provoked through a fault rule on the real daemon.
@Suite("spdmctl attest: a distinct exit status per failed check", .serialized)
struct FailedCheckExitTests {
    static let config = TestDevice("kind0").toml

    /// (rules, expected status, expected failed_check, a word the message must hold).
    static let cases: [(String, Int32, String, String)] = [
        (#"[{"on": "GET_MEASUREMENTS", "action": "error:UnexpectedRequest"}]"#, 2, "error_response", "ERROR"),
        (#"[{"on": "GET_CERTIFICATE", "action": "close"}]"#, 3, "transport", "transport"),
        (#"[{"on": "*", "action": "tamper:chain"}]"#, 4, "certificate_chain", "chain"),
        (#"[{"on": "GET_DIGESTS", "action": "corrupt:byte:4"}]"#, 5, "digest", "DIGESTS"),
        (#"[{"on": "CHALLENGE", "action": "corrupt:signature"}]"#, 6, "signature", "CHALLENGE_AUTH signature"),
        (#"[{"on": "GET_MEASUREMENTS", "action": "tamper:measurement:1"}]"#, 7, "measurement", "MeasurementSummaryHash"),
    ]

    @Test("error_response 2, transport 3, certificate_chain 4, digest 5, signature 6, measurement 7; 0 once the rules are cleared")
    func everyKind() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("kind0"))
        let attest = { (extra: [String]) in
            try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"] + extra)
        }
        for (rules, status, kind, word) in Self.cases {
            let set = try spdmctl(["fault", "set", "kind0", rules, "--control-socket", daemon.controlSocket])
            #expect(set.status == 0, "\(set.stderr)")
            let human = try attest([])
            #expect(human.status == status, "\(rules): \(human.stdout) \(human.stderr)")
            #expect(human.stderr.contains("FAILED (\(kind))") && human.stderr.contains(word), "\(rules): \(human.stderr)")
            let machine = try attest(["--json"])
            #expect(machine.status == status)
            let document = json(machine.stdout) as? [String: Any] ?? [:]
            #expect(document["failedCheck"] as? String == kind, "\(rules): \(machine.stdout)")
        }
        #expect(try spdmctl(["fault", "clear", "kind0", "--control-socket", daemon.controlSocket]).status == 0)
        let clean = try attest(["--json"])
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
        #expect((json(clean.stdout) as? [String: Any])?["failedCheck"] == nil)
        // Without --root the chain is not anchored: a certificate_chain failure.
        let unanchored = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)"])
        #expect(unanchored.status == 4, "\(unanchored.stderr)")
        #expect(daemon.stop() == 0)
    }
}
