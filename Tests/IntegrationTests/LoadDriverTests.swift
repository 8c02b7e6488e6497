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
            let spread = try #require(json["crypto_bound_spread"] as? Double, "before/after spread: \(json)")
            #expect(spread >= 0 && spread < 1 && json["crypto_bound_before"] != nil && json["crypto_bound_after"] != nil)
        }
        let hold = try runSeparately(Products.path("spdmctl"), [
            "load", "--connect", "127.0.0.1:\(first)", "--devices", "2", "--hold", "3", "--duration", "0.2", "--json",
        ])
        #expect(hold.status == 0, "\(hold.stderr)")
        #expect(hold.stdout.contains("\"held\":3") && hold.stdout.contains("\"errors\":0"), "\(hold.stdout)")
        #expect(daemon.stop() == 0)
    }

    static let fleetConfig = """
    [[device]]
    name = "twin{i}"
    count = 3
    identity = "shared"
    tcp = "127.0.0.1:0"
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "version"
    value = "1"

    """ + TestDevice("solo").toml + TestDevice("faulty", tables: [#"[[device.fault]]\#non = "CHALLENGE"\#naction = "corrupt:signature""#]).toml

    @Test("--fleet --once: every device of the daemon once, errors by kind and device; --unique-identities names a shared leaf (identity = \"shared\")")
    func fleetOnce() throws {
        let daemon = try TestDaemon(config: Self.fleetConfig)
        let root = daemon.directory + "/state/ca/ecp256/ca.cert.der"
        let once = try runSeparately(Products.path("spdmctl"), [
            "load", "--fleet", "--control-socket", daemon.controlSocket, "--once", "--connections", "2", "--root", root, "--json",
        ])
        #expect(once.status == 1, "one device fails its signature: \(once.stdout) \(once.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(once.stdout.utf8)) as? [String: Any])
        #expect(json["mode"] as? String == "once")
        #expect(json["devices"] as? Int == 5 && json["flows"] as? Int == 4 && json["devices_attested"] as? Int == 4, "\(json)")
        #expect(json["errors_by_kind"] as? [String: Int] == ["signature": 1], "\(json)")
        #expect(json["errors_by_device"] as? [String: Int] == ["faulty": 1], "\(json)")
        let latency = json["latency_ms"] as? [String: Double] ?? [:]
        #expect(Set(latency.keys) == ["p50", "p90", "p99", "p99.9", "max"] && (latency["max"] ?? 0) >= (latency["p50"] ?? 1), "\(latency)")
        #expect(json["identities"] == nil)

        #expect(try runSeparately(Products.path("spdmctl"), ["fault", "clear", "faulty", "--control-socket", daemon.controlSocket]).status == 0)
        let identities = try runSeparately(Products.path("spdmctl"), [
            "load", "--fleet", "--control-socket", daemon.controlSocket, "--unique-identities", "--root", root, "--json",
        ])
        #expect(identities.status == 1, "the three twins share one leaf: \(identities.stdout)")
        let checked = try #require(try JSONSerialization.jsonObject(with: Data(identities.stdout.utf8)) as? [String: Any])
        #expect(checked["errors"] as? Int == 0 && checked["devices_attested"] as? Int == 5, "\(checked)")
        let summary = checked["identities"] as? [String: Any] ?? [:]
        #expect(summary["checked"] as? Int == 5 && summary["unique"] as? Bool == false)
        #expect(summary["shared"] as? [[String]] == [["twin0", "twin1", "twin2"]], "\(summary)")
        let human = try runSeparately(Products.path("spdmctl"), [
            "load", "--fleet", "--control-socket", daemon.controlSocket, "--unique-identities", "--root", root,
        ])
        #expect(human.stdout.contains("1 leaf certificate(s) shared: twin0 twin1 twin2"), "\(human.stdout)")
        #expect(daemon.stop() == 0)
    }

    @Test("--ramp spreads the connections' start; a duration run still verifies every flow")
    func ramp() throws {
        let daemon = try TestDaemon(config: TestDevice("ramp0").toml)
        let result = try runSeparately(Products.path("spdmctl"), [
            "load", "--fleet", "--control-socket", daemon.controlSocket, "--connections", "3", "--ramp", "0.6", "--duration", "0.6",
            "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json",
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["ramp_seconds"] as? Double == 0.6 && json["mode"] as? String == "duration")
        #expect((json["flows"] as? Int ?? 0) > 0 && json["errors"] as? Int == 0, "\(json)")
        #expect(daemon.stop() == 0)
    }
}
