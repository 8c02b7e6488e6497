import Foundation
import SPDMTestSupport
import Testing

/// Fault rules against the real daemon: from the config, and through the control API (spdmctl and
/// curl) with their effect on an open connection.
@Suite("fault rules: config and control API", .serialized)
struct FaultControlTests {
    static let config = TestDevice("tcp0", tables: ["[[device.fault]]\non = \"GET_MEASUREMENTS\"\naction = \"not_ready\""]).toml

    static func ctl(_ daemon: TestDaemon, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try spdmctl(arguments + ["--control-socket", daemon.controlSocket])
    }

    static func attest(_ daemon: TestDaemon) throws -> (status: Int32, stdout: String, stderr: String) {
        let port = try #require(daemon.port("tcp0"))
        return try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"])
    }

    static func metric(_ daemon: TestDaemon, _ action: String) throws -> Int? {
        let line = "spdm_faults_injected_total{device=\"tcp0\",action=\"\(action)\"} "
        let metrics = try ctl(daemon, ["metrics"]).stdout
        return metrics.split(separator: "\n").first { $0.hasPrefix(line) }.flatMap { Int($0.dropFirst(line.count)) }
    }

    @Test("a config not_ready rule: the requester follows RESPOND_IF_READY; the fault is logged and counted")
    func configNotReady() throws {
        let daemon = try TestDaemon(config: Self.config)
        let attest = try Self.attest(daemon)
        #expect(attest.status == 0, "\(attest.stdout) \(attest.stderr)")
        #expect(try Self.metric(daemon, "not_ready") ?? 0 >= 1)
        #expect(daemon.waitFor("fault injected: not_ready"))
        let list = try Self.ctl(daemon, ["fault", "list"] + ["tcp0"])
        #expect(list.status == 0 && list.stdout.contains("GET_MEASUREMENTS") && list.stdout.contains("not_ready"), "\(list)")
        #expect(daemon.stop() == 0)
    }

    @Test("PUT, GET, effect on an open connection, bad rules, DELETE")
    func roundTrip() throws {
        let daemon = try TestDaemon(config: Self.config)
        let port = try #require(daemon.port("tcp0"))
        let connection = try PlatformSocket(tcpPort: port)
        #expect(connection.hello() && connection.versionWorks())

        // spdmctl fault set (inline JSON, a lone object): applies from the next request of the open connection.
        let set = try Self.ctl(daemon, ["fault", "set", "tcp0", #"{"on": "GET_VERSION", "action": "corrupt:byte:1", "when": "nth:1"}"#, "--json"])
        #expect(set.status == 0, "\(set.stderr)")
        let rules = json(set.stdout) as? [[String: Any]] ?? []
        #expect(rules.count == 1 && rules.first?["action"] as? String == "corrupt:byte:1" && rules.first?["when"] as? String == "nth:1")
        #expect(rules.first?["seed"] as? Int != nil, "the effective seed is shown: \(rules)")
        let corrupted = connection.exchange([0x10, 0x84, 0, 0]).map { Array($0.prefix(2)) }
        #expect(corrupted == [0x10, 0xFB], "VERSION's code byte inverted")
        #expect(connection.versionWorks(), "nth:1 fires once per connection")
        #expect(try Self.metric(daemon, "corrupt:byte:1") == 1)

        // A rule file; then GET shows it.
        let file = daemon.directory + "/rules.json"
        try #"[{"on": "*", "action": "duplicate", "in_session": false, "count": 1, "seed": 7}]"#.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", file]).status == 0)
        let listed = json(try Self.ctl(daemon, ["fault", "list", "tcp0", "--json"]).stdout) as? [[String: Any]] ?? []
        #expect(listed.first?["on"] as? String == "*" && listed.first?["seed"] as? Int == 7 && listed.first?["count"] as? Int == 1
                && listed.first?["in_session"] as? Bool == false, "\(listed)")
        // duplicate: the VERSION comes twice; the second copy is read as the answer to the next request.
        #expect(connection.exchange([0x10, 0x84, 0, 0])?.prefix(2) == [0x10, 0x04])
        #expect(connection.receiveFrame() != nil)
        #expect(connection.versionWorks(), "count = 1: the rule expired")

        // delay: the response arrives, later (the time is not asserted), and the rule fired.
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "GET_VERSION", "action": "delay:200"}]"#]).status == 0)
        #expect(connection.versionWorks())
        #expect(try Self.metric(daemon, "delay:200") == 1)

        // Bad rules: 400 naming the rule and the key; nothing changes.
        let bad = try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "CHALLENGE", "action": "explode"}]"#])
        #expect(bad.status == 1 && bad.stderr.contains("rule 0: key 'action': unknown action 'explode'"), "\(bad.stderr)")
        if curlPath != nil {
            let unknownKey = try curl(daemon.controlSocket, "PUT", "/v1/devices/tcp0/faults", body: #"[{"on": "*", "action": "drop", "wen": "once"}]"#)
            #expect(unknownKey.status == 400 && unknownKey.body.contains("key 'wen'"), "\(unknownKey.body)")
            let notAList = try curl(daemon.controlSocket, "PUT", "/v1/devices/tcp0/faults", body: #"{"on": "*"}"#)
            #expect(notAList.status == 400, "\(notAList.body)")
            let got = try curl(daemon.controlSocket, "GET", "/v1/devices/tcp0/faults")
            #expect(got.status == 200 && got.body.contains("delay:200"), "\(got.body)")
        }

        // close: the connection ends instead of an answer.
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "GET_VERSION", "action": "close"}]"#]).status == 0)
        #expect(connection.exchange([0x10, 0x84, 0, 0]) == nil)

        // DELETE: no rules, a new connection answers normally.
        let clear = try Self.ctl(daemon, ["fault", "clear", "tcp0"])
        #expect(clear.status == 0 && clear.stdout.contains("no fault rules"), "\(clear)")
        #expect((json(try Self.ctl(daemon, ["fault", "list", "tcp0", "--json"]).stdout) as? [Any])?.isEmpty == true)
        let fresh = try PlatformSocket(tcpPort: port)
        #expect(fresh.hello() && fresh.versionWorks())
        #expect(daemon.stop() == 0)
    }

    @Test("corrupt:signature once on CHALLENGE: the requester fails once, then passes; a factory reset restores the config's rules")
    func signatureOnce() throws {
        let daemon = try TestDaemon(config: Self.config)
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "CHALLENGE", "action": "corrupt:signature", "when": "once"}]"#]).status == 0)
        let failed = try Self.attest(daemon)
        #expect(failed.status != 0, "\(failed.stdout)")
        let passed = try Self.attest(daemon)
        #expect(passed.status == 0, "\(passed.stdout) \(passed.stderr)")
        #expect(try Self.metric(daemon, "corrupt:signature") == 1)
        #expect(daemon.waitFor("spdm_fault=corrupt:signature"))

        #expect(try Self.ctl(daemon, ["state", "reset", "tcp0"]).status == 0)
        let restored = try Self.ctl(daemon, ["fault", "list", "tcp0"])
        #expect(restored.stdout.contains("not_ready") && !restored.stdout.contains("corrupt:signature"), "\(restored.stdout)")
        #expect(daemon.stop() == 0)
    }

    @Test("tamper:measurement on every request: another value for the index, summary hash and signatures consistent")
    func tamperMeasurement() throws {
        let daemon = try TestDaemon(config: Self.config)
        #expect(try Self.ctl(daemon, ["fault", "clear", "tcp0"]).status == 0)
        func measurementOne() throws -> String? {
            let port = try #require(daemon.port("tcp0"))
            let result = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der", "--json"])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let blocks = (json(result.stdout) as? [String: Any])?["measurements"] as? [[String: Any]] ?? []
            return blocks.first { $0["index"] as? Int == 1 }?["value"] as? String
        }
        let honest = try measurementOne()
        #expect(honest != nil)
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "*", "action": "tamper:measurement:1"}]"#]).status == 0)
        let tampered = try measurementOne()
        #expect(tampered != nil && tampered != honest, "\(String(describing: tampered)) vs \(String(describing: honest))")
        #expect(try Self.metric(daemon, "tamper:measurement:1") ?? 0 >= 1)
        #expect(daemon.stop() == 0)
    }

    @Test("inside a session: wrong_code acts on the plaintext (a record that authenticates), corrupt:mac on the record")
    func inSession() throws {
        let config = TestDevice("sess0", capabilities: TestDevice.sessionCapabilities, tables: [TestDevice.referencePSK]).toml
        let daemon = try TestDaemon(config: config)
        let port = try #require(daemon.port("sess0"))
        func session() throws -> (status: Int32, stdout: String, stderr: String) {
            try spdmctl(["session", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"])
        }
        func set(_ rules: String) throws {
            #expect(try spdmctl(["fault", "set", "sess0", rules, "--control-socket", daemon.controlSocket]).status == 0)
        }
        let clean = try session()
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")

        try set(#"[{"on": "*", "in_session": true, "action": "wrong_code", "when": "nth:1"}]"#)
        let wrongCode = try session()
        #expect(wrongCode.status != 0, "\(wrongCode.stdout)")
        #expect(daemon.waitFor("spdm_fault=wrong_code"))
        #expect(!daemon.text.contains("secured message dropped"))

        try set(#"[{"on": "*", "in_session": true, "action": "corrupt:mac", "when": "nth:1"}]"#)
        let badMAC = try session()
        #expect(badMAC.status != 0, "\(badMAC.stdout)")
        #expect(daemon.waitFor("spdm_fault=corrupt:mac"))

        #expect(try spdmctl(["fault", "clear", "sess0", "--control-socket", daemon.controlSocket]).status == 0)
        #expect(try session().status == 0)
        #expect(daemon.stop() == 0)
    }

    @Test("tamper:chain on every request: the served chain no longer verifies; cleared, it does again")
    func tamperChain() throws {
        let daemon = try TestDaemon(config: Self.config)
        #expect(try Self.ctl(daemon, ["fault", "set", "tcp0", #"[{"on": "*", "action": "tamper:chain"}]"#]).status == 0)
        let tampered = try Self.attest(daemon)
        #expect(tampered.status != 0, "\(tampered.stdout)")
        #expect(try Self.metric(daemon, "tamper:chain") ?? 0 >= 1)
        #expect(try Self.ctl(daemon, ["fault", "clear", "tcp0"]).status == 0)
        let honest = try Self.attest(daemon)
        #expect(honest.status == 0, "\(honest.stdout) \(honest.stderr)")
        #expect(daemon.stop() == 0)
    }
}
