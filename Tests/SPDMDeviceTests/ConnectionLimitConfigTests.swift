import SPDMDevice
import Testing

/// The connection-limit keys: a device's (and a fleet template's) `max_connections`, and the
/// daemon's `max_connections` and `frame_timeout`.
@Suite("Config loading: connection limits")
struct ConnectionLimitConfigTests {
    let directory = TemporaryDirectory()

    func load(_ text: String) throws -> FleetConfig { try directory.loadConfig(text) }

    func failure(_ text: String) -> String? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let template = """
    [[device]]
    name = "node{i}"
    count = 3
    tcp = "127.0.0.1:4200"
    max_connections = 8
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "mutable_firmware"
    value = "fw"
    """

    @Test("defaults: no per-device cap, no daemon override, a 30 s frame timeout")
    func defaults() throws {
        let config = try load(ConfigLoaderTests.minimal)
        #expect(config.devices[0].maxConnections == nil)
        #expect(config.daemon.maxConnections == nil)
        #expect(config.daemon.frameTimeout == 30)
    }

    @Test("a fleet template's max_connections applies to every device it expands to")
    func templateKey() throws {
        let config = try load(Self.template)
        #expect(config.devices.map(\.maxConnections) == [8, 8, 8])
    }

    @Test("[daemon] max_connections and frame_timeout (0 disables the timeout)")
    func daemonKeys() throws {
        let config = try load("[daemon]\nmax_connections = 500\nframe_timeout = 0\n\n" + ConfigLoaderTests.minimal)
        #expect(config.daemon.maxConnections == 500)
        #expect(config.daemon.frameTimeout == 0)
    }

    @Test("a bad value is one message naming file, device and key", arguments: [
        ("max_connections = 0", "test.toml: device 'node{i}': key 'max_connections': 0 is out of range 1...1000000"),
        ("max_connections = \"many\"", "test.toml: device 'node{i}': key 'max_connections': must be an integer"),
    ])
    func badDeviceValue(line: String, expected: String) {
        let text = Self.template.replacingOccurrences(of: "max_connections = 8", with: line)
        #expect(failure(text) == expected)
    }

    @Test("a bad daemon value names file and key", arguments: [
        ("max_connections = -1", "test.toml: key 'daemon.max_connections': -1 is out of range 1...10000000"),
        ("frame_timeout = 1.5", "test.toml: key 'daemon.frame_timeout': must be an integer"),
        ("frame_timeout = 100000", "test.toml: key 'daemon.frame_timeout': 100000 is out of range 0...86400"),
    ])
    func badDaemonValue(line: String, expected: String) {
        #expect(failure("[daemon]\n\(line)\n\n" + ConfigLoaderTests.minimal) == expected)
    }

    @Test("capture: resolved against the config's directory, {i} and {name} expanded; TCP devices and shared fleet files refused")
    func captureKey() throws {
        let config = try load(Self.template.replacingOccurrences(of: "max_connections = 8", with: #"capture = "caps/{name}-{i}.pcap""#))
        #expect(config.devices.map(\.capture) == (0..<3).map { directory.path + "/caps/node\($0)-\($0).pcap" })
        #expect(failure(Self.template.replacingOccurrences(of: "max_connections = 8", with: #"capture = "one.pcap""#))
            == "test.toml: device 'node{i}': key 'capture': a device with count = 3 needs '{i}' or '{name}' in its capture path")
        #expect(failure(Self.template.replacingOccurrences(of: "max_connections = 8", with: "transport = \"tcp\"\ncapture = \"x.pcap\""))
            == "test.toml: device 'node{i}': key 'capture': a tcp device cannot be captured: pcap has link types for MCTP and PCI-DOE only")
    }
}
