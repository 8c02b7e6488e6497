import Foundation
import SPDMTestSupport
import Testing

/// The real daemon with sessions over real sockets: several `spdmctl session` processes at once,
/// each opening two sessions on its connection (key exchange and PSK, MCTP over TCP and PCI-DOE
/// over a Unix socket).
@Suite("spdmctl sessions against the real daemon", .serialized)
struct SessionsOverSocketsTests {
    static let config = TestDevice(
        "tcp0", capabilities: ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH", "ENCRYPT", "MAC", "KEY_EX", "PSK_WITH_CONTEXT", "HBEAT", "KEY_UPD"],
        keys: ["heartbeat_period = 10", "max_sessions = 8"], tables: [TestDevice.referencePSK]).toml
        + TestDevice("unix0", transport: "pci-doe", listener: "unix = \"unix0.sock\"\nunix_mode = \"0600\"",
                     capabilities: TestDevice.sessionCapabilities,
                     tables: ["[[device.psk]]\nhint = \"hex:01020304\"\nkey = \"hex:00112233445566778899aabbccddeeff\""]).toml

    @Test("four spdmctl session processes at once, two sessions each, over TCP/MCTP and Unix/PCI-DOE")
    func concurrentSessions() async throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("tcp0"))
        let root = daemon.directory + "/state/ca/ecp256/ca.cert.der"
        let socket = daemon.directory + "/run/unix0.sock"
        let spdmctl = Products.path("spdmctl")
        let runs: [[String]] = [
            ["session", "--connect", "127.0.0.1:\(port)", "--root", root, "--sessions", "2", "--json"],
            ["session", "--connect", "127.0.0.1:\(port)", "--psk", "cstr:TestPskHint:cstr:TestPskData", "--sessions", "2", "--json"],
            ["session", "--unix", socket, "--transport", "pci-doe", "--root", root, "--sessions", "2", "--json"],
            ["session", "--unix", socket, "--transport", "pci-doe", "--root", root, "--psk", "hex:01020304:hex:00112233445566778899aabbccddeeff",
             "--sessions", "2", "--mac-only", "--json"],
        ]
        let results = try await withThrowingTaskGroup(of: (status: Int32, output: String).self) { group in
            for arguments in runs {
                group.addTask { try runProcess(spdmctl, arguments) }
            }
            var all: [(status: Int32, output: String)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 4)
        for result in results {
            #expect(result.status == 0, "spdmctl session failed: \(result.output)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            #expect(json?["ok"] as? Bool == true, "\(result.output)")
            let sessions = json?["sessions"] as? [[String: Any]] ?? []
            #expect(sessions.count == 2, "\(result.output)")
            for session in sessions {
                #expect(session["ended"] as? Bool == true)
                #expect(session["keyUpdate"] as? Bool == true)
                #expect(session["heartbeat"] as? Bool == true)
                #expect(session["measurementCount"] as? Int == 1)
            }
        }
        // A wrong PSK: a verify_data failure (exit 8), the error named.
        let wrong = try runProcess(spdmctl, ["session", "--connect", "127.0.0.1:\(port)", "--psk", "cstr:TestPskHint:cstr:wrong"])
        #expect(wrong.status == 8, "\(wrong.output)")
        #expect(wrong.output.contains("VerifyData"), "\(wrong.output)")
        #expect(daemon.isRunning)
        #expect(daemon.stop() == 0)
    }
}
