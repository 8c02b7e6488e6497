import Foundation
import SPDMTestSupport
import Testing

/// busy, error:<code> and not_ready inside secure sessions: answered in the session (sealed, so the
/// requester reads them), logged and counted; the same rules with in_session = false leave sessions alone.
@Suite("fault rules inside secure sessions", .serialized)
struct SessionFaultTests {
    static let config = TestDevice("sf0", capabilities: TestDevice.sessionCapabilities).toml

    static func session(_ daemon: TestDaemon) throws -> (status: Int32, stdout: String, stderr: String) {
        let port = try #require(daemon.port("sf0"))
        return try spdmctl(["session", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
    }

    static func set(_ daemon: TestDaemon, _ rules: String) throws {
        let result = try spdmctl(["fault", "set", "sf0", rules, "--control-socket", daemon.controlSocket])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("busy on HEARTBEAT and error:UnexpectedRequest on GET_MEASUREMENTS in a session reach the requester sealed")
    func answeredInSession() throws {
        let daemon = try TestDaemon(config: Self.config)
        #expect(try Self.session(daemon).status == 0)

        try Self.set(daemon, #"[{"on": "HEARTBEAT", "in_session": true, "action": "busy"}]"#)
        let busy = try Self.session(daemon)
        #expect(busy.status == 2, "an ERROR response: \(busy.stdout)")
        let busyDocument = json(busy.stdout) as? [String: Any] ?? [:]
        #expect((busyDocument["error"] as? String ?? "").contains("HEARTBEAT failed: responder sent ERROR Busy"), "\(busyDocument)")
        #expect(busyDocument["failedCheck"] as? String == "error_response")
        #expect(daemon.waitFor("fault injected: busy"))

        try Self.set(daemon, #"[{"on": "GET_MEASUREMENTS", "in_session": true, "action": "error:UnexpectedRequest"}]"#)
        let error = try Self.session(daemon)
        #expect(error.status == 2)
        #expect((json(error.stdout) as? [String: Any])?["error"] as? String ?? "" == "GET_MEASUREMENTS failed: responder sent ERROR UnexpectedRequest (0x04), data 0x00",
                "\(error.stdout)")

        // The same rules for the clear only: sessions are untouched.
        try Self.set(daemon, #"[{"on": "HEARTBEAT", "in_session": false, "action": "busy"}, {"on": "GET_MEASUREMENTS", "in_session": false, "action": "error:Unspecified"}]"#)
        #expect(try Self.session(daemon).status == 0)
        let metrics = try spdmctl(["metrics", "--control-socket", daemon.controlSocket]).stdout
        #expect(metrics.contains(#"spdm_faults_injected_total{device="sf0",action="busy"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"spdm_faults_injected_total{device="sf0",action="error:UnexpectedRequest"} 1"#))
        #expect(daemon.stop() == 0)
    }
}
