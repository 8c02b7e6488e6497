import Foundation
import SPDMTestSupport
import Testing

/// `spdmctl load` against the real daemon: attestation and session flows on two devices, every
/// flow verified (no errors, some flows done, a crypto bound measured), and idle connections held.
/// Nothing here judges speed.
@Suite("spdmctl load against the real daemon", .serialized)
struct LoadDriverTests {
    static func device(_ name: String, port: Int) -> String {
        TestDevice(name, listener: "tcp = \"127.0.0.1:\(port)\"", capabilities: TestDevice.sessionCapabilities).toml
    }

    @Test("attest and session flows over two devices, then idle connections held")
    func flows() throws {
        // Two consecutive free ports: load addresses devices as port, port+1.
        let first = try freeLoopbackPortPair()
        let daemon = try TestDaemon(config: Self.device("load0", port: first) + Self.device("load1", port: first + 1))
        let root = daemon.directory + "/state/ca/ecp256/ca.cert.der"
        for flow in ["attest", "session"] {
            let result = try runSeparately(Products.path("spdmctl"), [
                "load", "--connect", "127.0.0.1:\(first)", "--devices", "2", "--connections", "2", "--duration", "1",
                "--flow", flow, "--root", root, "--json",
            ])
            #expect(result.status == 0, "\(flow): \(result.stdout) \(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["flow"] as? String == flow)
            #expect((json["flows"] as? Int ?? 0) > 0, "\(json)")
            #expect(json["errors"] as? Int == 0, "\(json)")
            #expect((json["crypto_bound_flows_per_second"] as? Double ?? 0) > 0, "\(json)")
            #expect((json["dhe_ms"] != nil) == (flow == "session"), "\(json)")
        }
        let hold = try runSeparately(Products.path("spdmctl"), [
            "load", "--connect", "127.0.0.1:\(first)", "--devices", "2", "--hold", "3", "--duration", "0.2", "--json",
        ])
        #expect(hold.status == 0, "\(hold.stderr)")
        #expect(hold.stdout.contains("\"held\": 3"), "\(hold.stdout)")
        #expect(daemon.stop() == 0)
    }
}
