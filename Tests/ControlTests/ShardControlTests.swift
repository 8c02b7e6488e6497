import Foundation
import SPDMTestSupport
import Testing

/// Two daemons, one config, `--shard 0/2` and `--shard 1/2`: each serves its half, says so in
/// /v1/health, `spdmctl health` and `spdmctl devices`, and the halves attest.
@Suite("sharding: two daemons split one fleet", .serialized)
struct ShardControlTests {
    static let config = """
    [[device]]
    name = "s{i}"
    count = 4
    tcp = "127.0.0.1:0"
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "version"
    value = "1"
    """

    @Test("--shard 0/2 serves s0 and s2, SPDM_FLEET_SHARD=1/2 serves s1 and s3; health, devices and attest agree")
    func twoShards() throws {
        let first = try TestDaemon(config: Self.config, extraArguments: ["--shard", "0/2"])
        let second = try TestDaemon(config: Self.config, launcher: ["/usr/bin/env", "SPDM_FLEET_SHARD=1/2"])
        for (daemon, shard, names) in [(first, "0/2", ["s0", "s2"]), (second, "1/2", ["s1", "s3"])] {
            let health = try spdmctl(["health", "--control-socket", daemon.controlSocket, "--json"])
            #expect(health.status == 0, "\(health.stdout) \(health.stderr)")
            let document = json(health.stdout) as? [String: Any] ?? [:]
            #expect(document["ready"] as? Bool == true && document["shard"] as? String == shard)
            #expect(document["devices"] as? Int == 2 && document["fleet_devices"] as? Int == 4 && document["listeners"] as? Int == 2)
            let devices = try spdmctl(["devices", "--control-socket", daemon.controlSocket])
            #expect(devices.stdout.contains("shard \(shard): 2 of the fleet's 4 devices"), "\(devices.stdout)")
            let listed = (json(try spdmctl(["devices", "--control-socket", daemon.controlSocket, "--json"]).stdout) as? [[String: Any]] ?? [])
                .compactMap { $0["name"] as? String }
            #expect(listed == names)
            for name in names {
                let port = try #require(daemon.port(name))
                let attest = try spdmctl(["attest", "--connect", "127.0.0.1:\(port)", "--root", daemon.directory + "/state/ca/ecp256/ca.cert.der"])
                #expect(attest.status == 0, "\(name): \(attest.stderr)")
            }
        }
        #expect(first.stop() == 0 && second.stop() == 0)
    }

    @Test("a shard with no device, or a bad --shard, stops the daemon with a clear message")
    func refused() throws {
        let scratch = FileManager.default.temporaryDirectory.path + "/shard-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).toml"
        try Self.config.write(toFile: scratch, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let empty = try runProcess(Products.path("spdm-fleetd"), ["--config", scratch, "--check", "--shard", "5/8"])
        #expect(empty.status == 78, "\(empty.output)")
        #expect(empty.output.contains("shard 5/8 has no device: the config defines 4"), "\(empty.output)")
        let bad = try runProcess(Products.path("spdm-fleetd"), ["--config", scratch, "--check", "--shard", "2/2"])
        #expect(bad.status != 0 && bad.output.contains("the index must be 0 to 1, got 2"), "\(bad.output)")
    }
}
