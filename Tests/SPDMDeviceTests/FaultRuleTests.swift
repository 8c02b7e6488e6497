import SPDMDevice
import SPDMWire
import Testing

/// The one fault rule parser (config and control API) and `[[device.fault]]` in the config.
@Suite("Fault rules: parser and config")
struct FaultRuleTests {
    let directory = TemporaryDirectory()

    func load(_ tables: String) throws -> FleetConfig { try directory.loadConfig(ConfigLoaderTests.minimal + "\n" + tables) }

    static func parse(_ fields: [String: FaultValue]) throws(FaultRuleError) -> FaultRule { try FaultRule(parsing: fields) }

    @Test("every action and schedule parses, and prints back as written", arguments: [
        "not_ready", "not_ready:3:4", "busy", "error:InvalidRequest", "error:Unspecified", "delay:300", "drop", "close",
        "truncate:3", "corrupt:byte:5", "corrupt:signature", "corrupt:mac", "corrupt:nonce", "corrupt:verify_data", "tamper:measurement:2", "tamper:chain", "wrong_version", "wrong_code", "duplicate", "replay",
        "mutate:0.25",
    ])
    func actions(_ text: String) throws {
        let rule = try Self.parse(["on": .string("*"), "action": .string(text)])
        #expect(rule.action.description == text)
        #expect(rule.schedule == .always && rule.request == nil && rule.count == nil && rule.seed == nil)
    }

    @Test("schedules", arguments: [("always", FaultSchedule.always), ("once", .once), ("nth:3", .nth(3)), ("every:2", .every(2)),
                                    ("probability:0.5", .probability(0.5))])
    func schedules(_ text: String, _ expected: FaultSchedule) throws {
        let rule = try Self.parse(["on": .string("challenge"), "action": .string("drop"), "when": .string(text)])
        #expect(rule.schedule == expected && rule.request == .challenge)
        #expect(rule.schedule.description == text)
    }

    @Test("bad rules name the key", arguments: [
        (["action": FaultValue.string("drop")], "on", "is required"),
        (["on": .string("DANCE"), "action": .string("drop")], "on", "unknown request 'DANCE'"),
        (["on": .string("*")], "action", "is required"),
        (["on": .string("*"), "action": .string("explode")], "action", "unknown action 'explode'"),
        (["on": .string("*"), "action": .string("error:Sneeze")], "action", "unknown error code"),
        (["on": .string("*"), "action": .string("delay:0")], "action", "the delay (ms) must be an integer"),
        (["on": .string("*"), "action": .string("not_ready:1:1")], "action", "rdtm must be an integer in 2...255"),
        (["on": .string("*"), "action": .string("mutate:2")], "action", "the rate must be a number in (0, 1]"),
        (["on": .string("*"), "action": .string("tamper:measurement:255")], "action", "the measurement index must be an integer in 1...254"),
        (["on": .string("*"), "action": .string("drop"), "when": .string("sometimes")], "when", "unknown schedule"),
        (["on": .string("*"), "action": .string("drop"), "when": .string("nth:0")], "when", "N must be an integer of at least 1"),
        (["on": .string("*"), "action": .string("drop"), "when": .string("probability:1.5")], "when", "P must be a number in [0, 1]"),
        (["on": .string("*"), "action": .string("drop"), "count": .integer(0)], "count", "0 is out of range"),
        (["on": .string("*"), "action": .string("drop"), "count": .string("3")], "count", "must be an integer"),
        (["on": .string("*"), "action": .string("drop"), "seed": .integer(-1)], "seed", "-1 is out of range"),
        (["on": .string("*"), "action": .string("drop"), "in_session": .string("yes")], "in_session", "must be true or false"),
        (["on": .string("*"), "action": .string("tamper:chain"), "in_session": .bool(true)], "action", "in the clear, not inside a session"),
        (["on": .string("*"), "action": .string("corrupt:mac"), "in_session": .bool(false)], "in_session", "secured records only"),
        (["on": .string("*"), "action": .string("drop"), "wen": .string("once")], "wen", "unknown key"),
    ])
    func badRules(_ fields: [String: FaultValue], _ key: String, _ message: String) {
        do {
            _ = try Self.parse(fields)
            Issue.record("accepted \(fields)")
        } catch {
            #expect(error.key == key, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("where actions act: in the clear, in sessions, or both")
    func scopes() throws {
        let busy = try Self.parse(["on": .string("*"), "action": .string("busy")])
        #expect(busy.matches(.challenge, inSession: false) && busy.matches(.challenge, inSession: true))
        let tamper = try Self.parse(["on": .string("*"), "action": .string("tamper:measurement:1")])
        #expect(tamper.matches(.challenge, inSession: false) && !tamper.matches(.getMeasurements, inSession: true))
        let mac = try Self.parse(["on": .string("*"), "action": .string("corrupt:mac")])
        #expect(!mac.matches(.getVersion, inSession: false) && mac.matches(.heartbeat, inSession: true))
        let drop = try Self.parse(["on": .string("HEARTBEAT"), "action": .string("drop"), "in_session": .bool(true)])
        #expect(drop.matches(.heartbeat, inSession: true) && !drop.matches(.heartbeat, inSession: false) && !drop.matches(.challenge, inSession: true))
        #expect(try Self.parse(["on": .string("*"), "action": .string("drop"), "when": .string("once"), "count": .integer(5)]).limit == 1)
    }

    @Test("[[device.fault]] tables become the device's rules, after the older [device.faults] not_ready list")
    func config() throws {
        let config = try load("""
            [device.faults]
            not_ready = ["GET_MEASUREMENTS"]
            rdtm = 3
            [[device.fault]]
            on = "CHALLENGE"
            action = "corrupt:signature"
            when = "once"
            [[device.fault]]
            on = "*"
            action = "mutate:0.1"
            when = "probability:0.5"
            seed = 42
            count = 10
            """)
        let rules = config.devices[0].faults
        #expect(rules == [
            FaultRule(request: .getMeasurements, inSession: false, action: .notReady(rdExponent: 1, rdtm: 3)),
            FaultRule(request: .challenge, action: .corruptSignature, schedule: .once),
            FaultRule(request: nil, action: .mutate(rate: 0.1), schedule: .probability(0.5), count: 10, seed: 42),
        ])
    }

    @Test("a bad [[device.fault]] gets one message naming file, device and key", arguments: [
        ("on = \"CHALLENGE\"\naction = \"explode\"", "test.toml: device 'd0': key 'fault[0].action': unknown action 'explode'"),
        ("action = \"drop\"", "test.toml: device 'd0': key 'fault[0].on': is required"),
        ("on = \"*\"\naction = \"drop\"\ncount = \"many\"", "test.toml: device 'd0': key 'fault[0].count': must be an integer"),
        ("on = \"*\"\naction = \"drop\"\nwhen = \"nth:x\"", "test.toml: device 'd0': key 'fault[0].when': 'nth:x'"),
    ])
    func configErrors(_ table: String, _ expected: String) {
        do {
            _ = try load("[[device.fault]]\n" + table)
            Issue.record("accepted \(table)")
        } catch let error as ConfigError {
            #expect(error.description.hasPrefix(expected), "got: \(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
