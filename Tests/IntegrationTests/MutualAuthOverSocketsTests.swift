import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl session` with a requester identity from the builtin CA against the real daemon: session
/// mutual authentication (encapsulated and KEY_EXCHANGE-only), the handshake in the clear, and the
/// responder-initiated KEY_UPDATE asked for with OOB_ENCAP_KEY_UPDATE on the platform socket.
@Suite("spdmctl session mutual authentication against the real daemon", .serialized)
struct MutualAuthOverSocketsTests {
    static func device(_ name: String, mode: String) -> String {
        TestDevice(name, capabilities: ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD", "MUT_AUTH", "ENCAP",
                                        "HANDSHAKE_IN_THE_CLEAR"],
                   keys: ["heartbeat_period = 10", "mut_auth = \"\(mode)\""],
                   tables: ["[device.algorithms]\nasym = [\"ECDSA_P256\"]\nreq_asym = [\"RSAPSS_3072\"]"]).toml
    }

    static let config = device("mutenc", mode: "encapsulated") + device("mutkex", mode: "key_exchange")
        + device("mutdig", mode: "encapsulated_digests")

    @Test("mutual auth (encapsulated, encapsulated digests, KEY_EXCHANGE only), in the clear or not, responder key update")
    func mutualAuthSessions() throws {
        let daemon = try TestDaemon(config: Self.config)
        let spdmctl = Products.path("spdmctl")
        let ca = daemon.directory + "/state/ca"
        let identity = ["--requester-cert", ca + "/rsa3072/bundle_requester.certchain.der", "--requester-key", ca + "/rsa3072/end_requester.key"]
        let cases: [(device: String, mode: String, clear: Bool)] = [
            ("mutenc", "encapsulated", true), ("mutkex", "key_exchange", false), ("mutdig", "encapsulated_digests", true),
            ("mutenc", "encapsulated", false),
        ]
        for test in cases {
            let port = try #require(daemon.port(test.device))
            var arguments = ["session", "--connect", "127.0.0.1:\(port)", "--root", ca + "/ecp256/ca.cert.der", "--responder-key-update",
                             "--json"] + identity
            if test.clear { arguments.append("--handshake-in-the-clear") }
            let result = try runProcess(spdmctl, arguments)
            #expect(result.status == 0, "\(test): \(result.output)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            #expect(json?["ok"] as? Bool == true, "\(result.output)")
            let session = (json?["sessions"] as? [[String: Any]])?.first
            #expect(session?["mutualAuth"] as? String == test.mode, "\(result.output)")
            #expect(session?["handshakeInTheClear"] as? Bool == test.clear, "\(result.output)")
            #expect(session?["responderKeyUpdate"] as? Bool == true, "\(result.output)")
            #expect(session?["ended"] as? Bool == true, "\(result.output)")
        }
        // An identity whose algorithm the device does not accept (ECDSA P-256, req_asym RSAPSS_3072): no
        // ReqBaseAsymAlg in common, so the responder does not ask and the session opens without mutual auth.
        let port = try #require(daemon.port("mutenc"))
        let other = try runProcess(spdmctl, ["session", "--connect", "127.0.0.1:\(port)", "--root", ca + "/ecp256/ca.cert.der", "--json",
                                             "--requester-cert", ca + "/ecp256/bundle_requester.certchain.der",
                                             "--requester-key", ca + "/ecp256/end_requester.key"])
        #expect(other.status == 0, "\(other.output)")
        let json = try JSONSerialization.jsonObject(with: Data(other.output.utf8)) as? [String: Any]
        #expect((json?["sessions"] as? [[String: Any]])?.first?["mutualAuth"] == nil, "\(other.output)")
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }
}
