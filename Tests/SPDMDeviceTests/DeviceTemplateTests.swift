import SPDMDevice
import Testing

/// `{...}` per-device values in fleet templates (DeviceTemplate.swift) and where the config uses them.
@Suite("Fleet templates: per-device values")
struct DeviceTemplateTests {
    let directory = TemporaryDirectory()

    @Test("{i}, formats, arithmetic with precedence and parentheses; {name} is kept for the caller")
    func expressions() throws {
        #expect(try DeviceTemplate.expand("node{i}", index: 7) == "node7")
        #expect(try DeviceTemplate.expand("node{i:04}", index: 7) == "node0007")
        #expect(try DeviceTemplate.expand("rack{i / 40}-slot{i % 40:02}", index: 83) == "rack2-slot03")
        #expect(try DeviceTemplate.expand("{20000 + i / 10}", index: 12_345) == "21234")
        #expect(try DeviceTemplate.expand("{(i + 1) * 2 - 1}", index: 3) == "7")
        #expect(try DeviceTemplate.expand("{-i:03}", index: 5) == "-05")
        #expect(try DeviceTemplate.expand("caps/{name}-{i}.pcap", index: 2) == "caps/{name}-2.pcap")
        #expect(try DeviceTemplate.expand("plain", index: 2) == "plain")
        for (text, message) in [("{i / 0}", "division by zero"), ("{i +}", "ends too early"), ("{j}", "'j' is not allowed"),
                                ("{i", "without its '}'"), ("{i:4}", "must be 0 and a width"), ("{(i}", "without its ')'"),
                                ("{}", "an empty {}"), ("{9223372036854775807 + i}", "overflow")] {
            do {
                _ = try DeviceTemplate.expand(text, index: 1)
                Issue.record("\(text) expanded")
            } catch let failure as DeviceTemplate.Failure {
                #expect(failure.description.contains(message), "\(text): \(failure)")
            }
        }
    }

    static func fleet(_ keys: String) -> String {
        """
        [[device]]
        count = 3
        \(keys)
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.measurement]]
        index = 1
        type = "version"
        value = "1"
        """
    }

    @Test("names, TCP ports (an expression is the port itself, a plain port counts up) and Unix paths per device")
    func inConfig() throws {
        let expressions = try directory.loadConfig(Self.fleet(#"name = "gpu{i:03}"\#ntcp = "127.0.0.1:{5000 + i * 10}"\#nunix = "sock/{i % 2}-{i}.sock""#))
        #expect(expressions.devices.map(\.name) == ["gpu000", "gpu001", "gpu002"])
        #expect(expressions.devices.map(\.listeners.first!.description) == ["tcp:127.0.0.1:5000", "tcp:127.0.0.1:5010", "tcp:127.0.0.1:5020"])
        #expect(expressions.devices.map(\.listeners.last!.description).allSatisfy { $0.contains("/sock/") })
        #expect(expressions.devices[2].listeners.last!.description.contains("/sock/0-2.sock"))
        let counted = try directory.loadConfig(Self.fleet(#"name = "n{i}"\#ntcp = "127.0.0.1:6000""#))
        #expect(counted.devices.map(\.listeners.first!.description) == ["tcp:127.0.0.1:6000", "tcp:127.0.0.1:6001", "tcp:127.0.0.1:6002"])
    }

    @Test("a bad expression or names that collide are one message naming file, device and key")
    func errors() throws {
        #expect(throws: ConfigError.self) { try directory.loadConfig(Self.fleet(#"name = "n{i / 0}"\#ntcp = "127.0.0.1:6000""#)) }
        do {
            _ = try directory.loadConfig(Self.fleet(#"name = "n{i}"\#ntcp = "127.0.0.1:{i +}""#))
        } catch {
            #expect("\(error)" == "test.toml: device 'n{i}': key 'tcp': '127.0.0.1:{i +}': an expression ends too early")
        }
        #expect(throws: ConfigError.self) { try directory.loadConfig(Self.fleet(#"name = "n{i % 2}"\#ntcp = "127.0.0.1:6000""#)) }
    }
}
