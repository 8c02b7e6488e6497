import SPDMDevice
import Testing

/// `--shard I/N`: which devices a daemon serves (Shard.swift).
@Suite("Sharding a fleet")
struct ShardTests {
    let directory = TemporaryDirectory()

    static let config = """
    [[device]]
    name = "a{i}"
    count = 5
    tcp = "127.0.0.1:4300"
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "version"
    value = "1"

    [[device]]
    name = "b"
    tcp = "127.0.0.1:4400"
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "version"
    value = "1"
    """

    @Test("I/N and auto/N (the host name's -<ordinal>) parse; bad ones say why")
    func parsing() throws {
        #expect(try Shard(parsing: "2/4", hostname: nil) == Shard(index: 2, count: 4))
        #expect(try Shard(parsing: "auto/4", hostname: "spdm-fleetd-3") == Shard(index: 3, count: 4))
        #expect(try Shard(parsing: "0/1", hostname: nil).description == "0/1")
        for (text, host, message) in [
            ("4/4", nil, "the index must be 0 to 3, got 4"), ("x/4", nil, "'x' is not an index"), ("1/0", nil, "expects I/N"),
            ("1", nil, "expects I/N"), ("auto/4", "laptop", "does not end in -<ordinal>"), ("auto/2", "fleet-7", "must be 0 to 1, got 7"),
        ] as [(String, String?, String)] {
            #expect(throws: Shard.ParseError.self) { try Shard(parsing: text, hostname: host) }
            do {
                _ = try Shard(parsing: text, hostname: host)
            } catch let error as Shard.ParseError {
                #expect(error.description.contains(message), "\(text): \(error)")
            }
        }
    }

    @Test("N shards of one config serve every device exactly once, by index across [[device]] tables; ports and names stay")
    func partition() throws {
        let fleet = try directory.loadConfig(Self.config)
        #expect(fleet.fleetDeviceCount == 6 && fleet.shard == nil)
        let shards = try (0..<4).map { try fleet.sharded(Shard(index: $0, count: 4)) }
        #expect(shards.map { $0.devices.map(\.name) } == [["a0", "a4"], ["a1", "b"], ["a2"], ["a3"]])
        #expect(shards[1].devices.map(\.listeners.description) == ["[tcp:127.0.0.1:4301]", "[tcp:127.0.0.1:4400]"])
        #expect(shards.allSatisfy { $0.fleetDeviceCount == 6 })
        #expect(shards[2].shard == Shard(index: 2, count: 4))
        #expect(throws: ConfigError.self) { try fleet.sharded(Shard(index: 7, count: 8)) }
    }
}
