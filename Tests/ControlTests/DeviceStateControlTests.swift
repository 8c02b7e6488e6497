import Foundation
import SPDMCrypto
import SPDMTestSupport
import Testing

/// Device reset and the persisted state through the real daemon: spdmctl reset, spdmctl state
/// show / reset, and the same routes through curl.
@Suite("control API: device reset and persisted state", .serialized)
struct DeviceStateControlTests {
    static let config = ControlAPITests.config

    static func ctl(_ daemon: TestDaemon, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try spdmctl(arguments + ["--control-socket", daemon.controlSocket])
    }

    static func state(_ daemon: TestDaemon) throws -> [String: Any] {
        let result = try ctl(daemon, ["state", "show", "tcp0", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return json(result.stdout) as? [String: Any] ?? [:]
    }

    /// A provisioned.json as SET_CERTIFICATE and a ResetRequired erase would leave it: slot 1 holds
    /// unix0's chain, slot 3's erase waits for a device reset.
    static func provisionedFile(chain: [UInt8], root: [UInt8]) -> String {
        let chain64 = Data(chain).base64EncodedString(), root64 = Data(root).base64EncodedString()
        return """
        {"format": "spdm-fleetd provisioned state", "version": 1, "device": "tcp0", "revision": 5,
         "installed_chains": {"1": {"certificates": "\(chain64)", "root": "\(root64)", "key_pair_id": 0, "certificate_model": 1}},
         "erased_slots": [], "key_pairs": {},
         "pending_reset": {"installed_chains": {}, "erased_slots": [3], "key_pairs": {}, "csr_requests": {}}}
        """
    }

    @Test("state show lists what the control API persisted; a device reset closes connections and keeps it; state reset forgets it")
    func controlAPIState() throws {
        let daemon = try TestDaemon(config: Self.config)
        #expect(try Self.ctl(daemon, ["set-measurement", "tcp0", "1", "hex:0102"]).status == 0)
        let shown = try Self.state(daemon)
        #expect((shown["measurements"] as? [[String: Any]])?.first?["value"] as? String == "0102", "\(shown)")
        #expect((shown["provisioned"] as? [String: Any])?["revision"] as? Int == 0)
        #expect((shown["problems"] as? [Any])?.isEmpty == true)
        let human = try Self.ctl(daemon, ["state", "show", "tcp0"])
        #expect(human.stdout.contains("measurement 1   0102  (measurements.json)") && human.stdout.contains("provisioned   nothing"), "\(human.stdout)")

        // The device reset: open connections close, the persisted state stays.
        let port = try #require(daemon.port("tcp0"))
        let open = try PlatformSocket(tcpPort: port)
        #expect(open.hello())
        let reset = try Self.ctl(daemon, ["reset", "tcp0"])
        #expect(reset.status == 0 && reset.stdout.contains("1 connection(s) closed") && reset.stdout.contains("nothing was waiting"),
                "\(reset.stdout) \(reset.stderr)")
        #expect(open.isClosedByPeer())
        #expect(((try Self.state(daemon))["measurements"] as? [Any])?.count == 1)
        #expect(daemon.waitFor("device reset: nothing was waiting for it; 1 connection(s) closed"))

        // The factory reset forgets it.
        let forget = try Self.ctl(daemon, ["state", "reset", "tcp0"])
        #expect(forget.status == 0 && forget.stdout.contains("tcp0 reset to its config"), "\(forget.stdout) \(forget.stderr)")
        #expect(((try Self.state(daemon))["measurements"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: daemon.directory + "/state/devices/tcp0/measurements.json"))

        let missing = try Self.ctl(daemon, ["state", "show", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no device named 'nope'"))

        guard curlPath != nil else {
            Issue.record("curl is not installed: the curl half of the state tests did not run (make deps installs it)")
            return
        }
        let socket = daemon.controlSocket
        #expect(try curl(socket, "PUT", "/v1/devices/tcp0/measurements/1", body: "{\"value\": \"hex:aa\"}").status == 200)
        let get = try curl(socket, "GET", "/v1/devices/tcp0/state")
        #expect(get.status == 200 && get.body.contains("\"value\" : \"aa\""), "\(get.body)")
        let post = try curl(socket, "POST", "/v1/devices/tcp0/reset")
        #expect(post.status == 200 && (json(post.body) as? [String: Any])?["closed_connections"] as? Int == 0, "\(post.body)")
        let delete = try curl(socket, "DELETE", "/v1/devices/tcp0/state")
        #expect(delete.status == 200 && (json(delete.body) as? [String: Any])?["measurements"] as? [Any] != nil, "\(delete.body)")
        #expect(try curl(socket, "PUT", "/v1/devices/tcp0/state").status == 400)
        #expect(daemon.stop() == 0)
    }

    @Test("a provisioned state on disk is served after a restart; the device reset applies its pending erase and persists it")
    func provisionedAcrossRestartAndReset() throws {
        var daemon = try TestDaemon(config: Self.config)
        let directory = daemon.directory
        let ca = directory + "/state/ca/ecp256/"
        let chain = try [ca + "ca.cert.der", ca + "inter.cert.der", directory + "/state/devices/unix0/slot0.cert.der"]
            .flatMap { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let root = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ca + "ca.cert.der")))
        daemon.ownsDirectory = false
        #expect(daemon.stop() == 0)
        let file = directory + "/state/devices/tcp0/provisioned.json"
        try Self.provisionedFile(chain: chain, root: root).write(toFile: file, atomically: true, encoding: .utf8)

        daemon = try TestDaemon(config: Self.config, directory: directory)
        #expect(daemon.waitFor("persisted state restored: \(file): revision 5"))
        let provisioned = try #require((try Self.state(daemon))["provisioned"] as? [String: Any])
        let installed = provisioned["installed_chains"] as? [[String: Any]] ?? []
        #expect(installed.first?["slot"] as? Int == 1, "\(provisioned)")
        #expect(((installed.first?["certificates"] as? [[String: Any]])?.last?["subject"] as? String)?.contains("unix0 slot 0") == true)
        #expect((provisioned["pending_reset"] as? [String: Any])?["erased_slots"] as? [Int] == [3])
        let human = try Self.ctl(daemon, ["state", "show", "tcp0"])
        #expect(human.stdout.contains("waiting for a device reset") && human.stdout.contains("slot 3      erased"), "\(human.stdout)")

        let reset = try Self.ctl(daemon, ["reset", "tcp0"])
        #expect(reset.status == 0 && reset.stdout.contains("applied  slot 3: erased"), "\(reset.stdout) \(reset.stderr)")
        let after = try #require((try Self.state(daemon))["provisioned"] as? [String: Any])
        #expect(after["erased_slots"] as? [Int] == [3] && after["revision"] as? Int == 6, "\(after)")
        #expect(((after["pending_reset"] as? [String: Any])?["erased_slots"] as? [Int])?.isEmpty == true)
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("\"revision\" : 6"))

        // An unreadable provisioned.json: an error naming it at startup, set aside, the config served.
        daemon.ownsDirectory = false
        #expect(daemon.stop() == 0)
        try "{\"format\": \"spdm-fleetd provisioned state\", \"version\": 1, \"revi".write(toFile: file, atomically: true, encoding: .utf8)
        daemon = try TestDaemon(config: Self.config, directory: directory)
        #expect(daemon.waitFor("unreadable state file: \(file): "), "\(daemon.text)")
        #expect(daemon.text.contains("set aside as \(file).corrupt-"))
        #expect((try Self.state(daemon))["provisioned"].flatMap { ($0 as? [String: Any])?["revision"] as? Int } == 0)
        #expect(daemon.stop() == 0)
    }
}
