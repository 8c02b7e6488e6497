import Foundation
import SPDMTestSupport
import SPDMCrypto
import Testing

/// The control API against the real daemon: every call through spdmctl and through curl.
@Suite("control API: spdmctl and curl", .serialized)
struct ControlAPITests {
    static let config = TestDevice("tcp0", tables: ["[[device.measurement]]\nindex = 2\ntype = \"version\"\nvalue = \"1.0.0\""]).toml
        + TestDevice("unix0", transport: "pci-doe", listener: "unix = \"unix0.sock\"").toml

    /// spdmctl's options for this daemon.
    static func ctl(_ daemon: TestDaemon, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try spdmctl(arguments + ["--control-socket", daemon.controlSocket])
    }

    /// `spdmctl attest --json` on tcp0: the measurement blocks by index, and the measurement hash name.
    static func attest(_ daemon: TestDaemon) throws -> (values: [Int: String], hash: String, output: String) {
        let port = try #require(daemon.port("tcp0"))
        let result = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
        #expect(result.status == 0, "attest failed: \(result.stdout) \(result.stderr)")
        let document = json(result.stdout) as? [String: Any] ?? [:]
        var values: [Int: String] = [:]
        for block in document["measurements"] as? [[String: Any]] ?? [] {
            if let index = block["index"] as? Int, let value = block["value"] as? String { values[index] = value }
        }
        let hash = (document["algorithms"] as? [String: Any])?["measurementHash"] as? String ?? "?"
        return (values, hash, result.stdout)
    }

    static func digest(_ hashName: String, _ bytes: [UInt8]) -> String {
        let hash: HashAlgorithm = ["SHA_256": .sha256, "SHA_384": .sha384, "SHA_512": .sha512][hashName] ?? .sha384
        return Digest.hash(hash, bytes).map { String(format: "%02x", $0) }.joined()
    }

    @Test("the control socket is mode 0600 and answers JSON; unknown things are 404, bad bodies 400")
    func socketAndErrors() throws {
        let daemon = try TestDaemon(config: Self.config)
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.controlSocket)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let missing = try Self.ctl(daemon, ["device", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no device named 'nope'"), "\(missing.stderr)")
        let badIndex = try Self.ctl(daemon, ["set-measurement", "tcp0", "9", "x"])
        #expect(badIndex.status == 1 && badIndex.stderr.contains("no measurement 9"), "\(badIndex.stderr)")
        let unreachable = try spdmctl(["devices", "--control-socket", daemon.directory + "/nothing.sock"])
        #expect(unreachable.status == 3 && unreachable.stderr.contains("cannot reach"), "\(unreachable.stderr)")

        guard curlPath != nil else {
            Issue.record("curl is not installed: the curl half of the control API tests did not run (make deps installs it)")
            return
        }
        let notFound = try curl(daemon.controlSocket, "GET", "/v1/devices/nope")
        #expect(notFound.status == 404)
        #expect((json(notFound.body) as? [String: String])?["error"] == "no device named 'nope'")
        #expect(try curl(daemon.controlSocket, "GET", "/v2/whatever").status == 404)
        let badBody = try curl(daemon.controlSocket, "PUT", "/v1/devices/tcp0/measurements/1", body: "{\"nothing\": 1}")
        #expect(badBody.status == 400 && badBody.body.contains("value"), "\(badBody.body)")
        let badMethod = try curl(daemon.controlSocket, "DELETE", "/v1/devices/tcp0")
        #expect(badMethod.status == 400, "\(badMethod.body)")
        let badHex = try curl(daemon.controlSocket, "PUT", "/v1/devices/tcp0/measurements/1", body: "{\"value\": \"hex:zz\"}")
        #expect(badHex.status == 400, "\(badHex.body)")
        #expect(daemon.stop() == 0)
    }

    @Test("devices, device, connections, sessions, reload and metrics through spdmctl and curl")
    func readCalls() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("tcp0"))
        let connection = try PlatformSocket(tcpPort: port)
        #expect(connection.hello() && connection.versionWorks())

        // devices
        let devices = try Self.ctl(daemon, ["devices", "--json"])
        #expect(devices.status == 0, "\(devices.stderr)")
        let list = json(devices.stdout) as? [[String: Any]] ?? []
        #expect(list.map { $0["name"] as? String } == ["tcp0", "unix0"])
        #expect(list.first?["open_connections"] as? Int == 1)
        let table = try Self.ctl(daemon, ["devices"])
        #expect(table.stdout.contains("DEVICE") && table.stdout.contains("unix0") && table.stdout.contains("pci-doe"), "\(table.stdout)")

        // device
        let device = try Self.ctl(daemon, ["device", "tcp0", "--json"])
        let detail = json(device.stdout) as? [String: Any] ?? [:]
        #expect((detail["versions"] as? [String])?.isEmpty == false)
        #expect((detail["capabilities"] as? [String])?.contains("CERT") == true)
        #expect(((detail["algorithms"] as? [String: Any])?["asym"] as? [String]) == ["ECDSA_P256"])
        let slots = detail["slots"] as? [[String: Any]] ?? []
        #expect(((slots.first?["certificates"] as? [[String: Any]])?.last?["subject"] as? String)?.contains("tcp0 slot 0") == true, "\(slots)")
        let measurements = detail["measurements"] as? [[String: Any]] ?? []
        #expect(measurements.map { $0["value"] as? String } == ["6677", Array("1.0.0".utf8).map { String(format: "%02x", $0) }.joined()])
        let human = try Self.ctl(daemon, ["device", "tcp0"])
        #expect(human.stdout.contains("measurement 1") && human.stdout.contains("mutable_firmware"), "\(human.stdout)")

        // connections and sessions
        let connections = json(try Self.ctl(daemon, ["connections", "--json"]).stdout) as? [[String: Any]] ?? []
        #expect(connections.count == 1 && connections.first?["device"] as? String == "tcp0", "\(connections)")
        #expect(connections.first?["requests"] as? Int == 1)
        let sessions = try Self.ctl(daemon, ["sessions", "--json"])
        #expect(sessions.status == 0 && (json(sessions.stdout) as? [Any])?.isEmpty == true, "\(sessions.stdout)")

        // reload with the same config: everything unchanged, the connection stays
        let reload = json(try Self.ctl(daemon, ["reload", "--json"]).stdout) as? [String: Any] ?? [:]
        #expect(reload["unchanged"] as? [String] == ["tcp0", "unix0"], "\(reload)")
        #expect(connection.versionWorks())

        // metrics after an attestation
        _ = try Self.attest(daemon)
        let metrics = try Self.ctl(daemon, ["metrics"])
        #expect(metrics.status == 0)
        for line in ["spdm_requests_total{device=\"tcp0\",code=\"GET_VERSION\"} 3", "spdm_requests_total{device=\"tcp0\",code=\"CHALLENGE\"} 1",
                     "spdm_open_connections{device=\"tcp0\"} 1", "spdm_sessions{device=\"unix0\"} 0",
                     "spdm_handshake_seconds_count{device=\"tcp0\"} 1", "spdm_handshake_seconds_bucket{device=\"tcp0\",le=\"+Inf\"} 1",
                     "# TYPE spdm_handshake_seconds histogram", "process_start_time_seconds "] {
            #expect(metrics.stdout.contains(line), "metrics lack \(line):\n\(metrics.stdout)")
        }
        // An error response is counted by device and code.
        #expect(connection.exchange([0x10, 0xE0, 0, 0])?.prefix(2) == [0x10, 0x7F])
        #expect(try Self.ctl(daemon, ["metrics"]).stdout.contains("spdm_errors_total{device=\"tcp0\""))

        guard curlPath != nil else {
            Issue.record("curl is not installed: the curl half of the control API tests did not run (make deps installs it)")
            return
        }
        let socket = daemon.controlSocket
        let curlDevices = try curl(socket, "GET", "/v1/devices")
        #expect(curlDevices.status == 200 && (json(curlDevices.body) as? [[String: Any]])?.count == 2)
        let curlDevice = try curl(socket, "GET", "/v1/devices/unix0")
        #expect(curlDevice.status == 200 && (json(curlDevice.body) as? [String: Any])?["transport"] as? String == "pci-doe", "\(curlDevice.body)")
        let curlConnections = try curl(socket, "GET", "/v1/connections")
        #expect(curlConnections.status == 200 && (json(curlConnections.body) as? [Any])?.count == 1)
        let curlSessions = try curl(socket, "GET", "/v1/sessions")
        #expect(curlSessions.status == 200 && curlSessions.body.contains("["))
        let curlReload = try curl(socket, "POST", "/v1/reload")
        #expect(curlReload.status == 200 && curlReload.body.contains("\"unchanged\""), "\(curlReload.body)")
        let curlMetrics = try curl(socket, "GET", "/metrics")
        #expect(curlMetrics.status == 200 && curlMetrics.body.contains("spdm_requests_total{device=\"tcp0\",code=\"GET_VERSION\"}"))
        #expect(connection.versionWorks())
        #expect(daemon.stop() == 0)
    }

    @Test("set a measurement, replace a slot, factory reset: attest shows each, through spdmctl and curl")
    func writeCalls() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("tcp0"))
        // A connection opened before the change sees the new value on its next MEASUREMENTS.
        let early = try PlatformSocket(tcpPort: port)
        #expect(early.hello())

        let before = try Self.attest(daemon)
        #expect(before.values[1] == Self.digest(before.hash, Array("fw".utf8)))

        let set = try Self.ctl(daemon, ["set-measurement", "tcp0", "1", "firmware 2.0"])
        #expect(set.status == 0 && set.stdout.contains("tcp0 measurement 1 = "), "\(set.stdout) \(set.stderr)")
        let after = try Self.attest(daemon)
        #expect(after.values[1] == Self.digest(after.hash, Array("firmware 2.0".utf8)), "\(after.output)")
        #expect(after.values[2] == before.values[2])
        #expect(FileManager.default.fileExists(atPath: daemon.directory + "/state/devices/tcp0/measurements.json"))

        // The connection opened before the change: VCA at 1.1 (SHA-256, ECDSA P-256), then
        // GET_MEASUREMENTS of index 1 without a signature reports the digest of the new value.
        #expect(early.exchange([0x10, 0x84, 0, 0])?.prefix(2) == [0x10, 0x04])
        #expect(early.exchange([0x11, 0xE1, 0, 0, 0, 0x0C, 0, 0, 0x06, 0, 0, 0])?.prefix(2) == [0x11, 0x61])
        let negotiate: [UInt8] = [0x11, 0xE3, 0, 0, 0x20, 0x00, 0x01, 0, 0x10, 0, 0, 0, 0x01, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        let algorithms = early.exchange(negotiate)
        #expect(algorithms?.prefix(2) == [0x11, 0x63], "\(algorithms ?? [])")
        let measurements = try #require(early.exchange([0x11, 0xE0, 0x00, 0x01]))
        // MEASUREMENTS: header 4, block count 1, record length 3, then the block: index, specification,
        // size u16, DMTF type, value size u16 (LE), value.
        #expect(measurements.prefix(2) == [0x11, 0x60], "\(measurements)")
        if measurements.count > 15 {
            let size = Int(measurements[13]) | Int(measurements[14]) << 8
            let value = Array(measurements.dropFirst(15).prefix(size)).map { String(format: "%02x", $0) }.joined()
            #expect(value == Self.digest(size == 32 ? "SHA_256" : size == 64 ? "SHA_512" : "SHA_384", Array("firmware 2.0".utf8)), "\(measurements)")
        }

        // Replace tcp0's slot 0 with unix0's identity (same builtin CA, P-256).
        let ca = daemon.directory + "/state/ca/ecp256/"
        let chainPEM = try [ca + "ca.cert.der", ca + "inter.cert.der", daemon.directory + "/state/devices/unix0/slot0.cert.der"]
            .map { try Certificate(der: [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0)))).pem }.joined()
        let chainFile = daemon.directory + "/chain.pem"
        try chainPEM.write(toFile: chainFile, atomically: true, encoding: .utf8)
        let keyFile = daemon.directory + "/state/devices/unix0/slot0.key"
        let wrongKey = daemon.directory + "/state/devices/tcp0/slot0.key"
        let mismatch = try Self.ctl(daemon, ["set-slot", "tcp0", "0", "--chain", chainFile, "--key", wrongKey])
        #expect(mismatch.status == 1 && mismatch.stderr.contains("does not belong"), "\(mismatch.stderr)")
        let slot = try Self.ctl(daemon, ["set-slot", "tcp0", "0", "--chain", chainFile, "--key", keyFile])
        #expect(slot.status == 0 && slot.stdout.contains("unix0 slot 0"), "\(slot.stdout) \(slot.stderr)")
        let replaced = try Self.attest(daemon)
        #expect(replaced.output.contains("unix0 slot 0"), "\(replaced.output)")
        let shown = try Self.ctl(daemon, ["device", "tcp0"])
        #expect(shown.stdout.contains("set through the control API"), "\(shown.stdout)")

        // a factory reset restores the config's values
        let reset = try Self.ctl(daemon, ["state", "reset", "tcp0"])
        #expect(reset.status == 0, "\(reset.stderr)")
        let restored = try Self.attest(daemon)
        #expect(restored.values[1] == before.values[1])
        #expect(!restored.output.contains("unix0 slot 0"))
        #expect(!FileManager.default.fileExists(atPath: daemon.directory + "/state/devices/tcp0/measurements.json"))

        guard curlPath != nil else {
            Issue.record("curl is not installed: the curl half of the control API tests did not run (make deps installs it)")
            return
        }
        let socket = daemon.controlSocket
        let put = try curl(socket, "PUT", "/v1/devices/tcp0/measurements/1", body: "{\"value\": \"hex:00ff00\"}")
        #expect(put.status == 200, "\(put.body)")
        #expect(try Self.attest(daemon).values[1] == Self.digest(before.hash, [0x00, 0xFF, 0x00]))
        let body = try JSONSerialization.data(withJSONObject: ["chain_pem": chainPEM, "key_pem": try String(contentsOfFile: keyFile, encoding: .utf8)])
        let putSlot = try curl(socket, "PUT", "/v1/devices/tcp0/slots/0", body: String(decoding: body, as: UTF8.self))
        #expect(putSlot.status == 200 && putSlot.body.contains("unix0 slot 0"), "\(putSlot.body)")
        #expect(try Self.attest(daemon).output.contains("unix0 slot 0"))
        let curlReset = try curl(socket, "DELETE", "/v1/devices/tcp0/state")
        #expect(curlReset.status == 200 && (json(curlReset.body) as? [String: Any])?["measurements"] as? [Any] != nil, "\(curlReset.body)")
        #expect(try Self.attest(daemon).values[1] == before.values[1])
        #expect(daemon.stop() == 0)
    }

    @Test("a measurement set through the control API survives a restart and a kill -9")
    func persistence() throws {
        var daemon = try TestDaemon(config: Self.config)
        let directory = daemon.directory
        #expect(try Self.ctl(daemon, ["set-measurement", "tcp0", "2", "hex:322e302e30"]).status == 0)
        daemon.crash()
        daemon = try TestDaemon(config: Self.config, directory: directory)
        let detail = json(try Self.ctl(daemon, ["device", "tcp0", "--json"]).stdout) as? [String: Any] ?? [:]
        let entry = (detail["measurements"] as? [[String: Any]] ?? []).first { $0["index"] as? Int == 2 }
        #expect(entry?["value"] as? String == "322e302e30" && entry?["modified"] as? Bool == true, "\(detail)")
        // Index 2 is a version: reported raw.
        #expect(try Self.attest(daemon).values[2] == "322e302e30")
        // And after a clean restart too.
        daemon.ownsDirectory = false
        #expect(daemon.stop() == 0)
        daemon = try TestDaemon(config: Self.config, directory: directory)
        #expect(try Self.attest(daemon).values[2] == "322e302e30")
        #expect(daemon.stop() == 0)
    }
}
