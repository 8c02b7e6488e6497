import Foundation
import SPDMCrypto
import SPDMDevice
import Testing

/// Per-device identities of a fleet template (FleetIdentities.swift): every device its own key and
/// leaf, the same ones after a restart, `identity = "shared"` one for all, a shard makes only its own.
@Suite("Fleet identities")
struct FleetIdentityTests {
    static func fleet(_ extra: String = "", count: Int = 6) -> String {
        """
        [[device]]
        name = "node{i}"
        count = \(count)
        tcp = "127.0.0.1:4500"
        \(extra)
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.measurement]]
        index = 1
        type = "version"
        value = "1"
        """
    }

    static func leaves(_ config: FleetConfig) -> [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: config.devices.map { device in
            (device.name, device.responder.slots[0].certificatesDER)
        })
    }

    @Test("each device its own key and leaf (its name in the subject, its own serial), issued by the CA; a reload presents the same")
    func perDevice() throws {
        let directory = TemporaryDirectory()
        let lines = LinesBox()
        var loader = ConfigLoader(stateDirectoryOverride: directory.path + "/state", runtimeDirectoryOverride: directory.path + "/run")
        loader.progress = { lines.append($0) }
        let first = try loader.load(text: Self.fleet(), source: "test.toml", baseDirectory: directory.path)
        let keys = Set(first.devices.map { $0.responder.slots[0].privateKey.publicKey.subjectPublicKeyInfoDER })
        #expect(keys.count == 6, "six devices, six keys")
        var serials: Set<String> = []
        for device in first.devices {
            let chain = try Certificate.parseConcatenatedDER(device.responder.slots[0].certificatesDER)
            let leaf = try #require(chain.last)
            #expect(leaf.subject.contains("\(device.name) slot 0"), "\(leaf.subject)")
            serials.insert(leaf.serialNumber.map { String(format: "%02x", $0) }.joined())
            try ChainVerifier.verify(chain: chain, trustedRoots: [chain[0]], options: .init(validAt: Date()))
        }
        #expect(serials.count == 6)
        #expect(lines.all.last?.hasPrefix("device identities: 6/6 for node{i}") == true, "\(lines.all)")
        let again = try loader.load(text: Self.fleet(), source: "test.toml", baseDirectory: directory.path)
        #expect(Self.leaves(again) == Self.leaves(first), "a restart presents the same identities")
    }

    @Test("identity = \"shared\" keeps one identity for the template; a bad value names the key")
    func shared() throws {
        let directory = TemporaryDirectory()
        let config = try directory.loadConfig(Self.fleet(#"identity = "shared""#))
        #expect(Set(config.devices.map { $0.responder.slots[0].certificatesDER }).count == 1)
        #expect(throws: ConfigError.self) { try directory.loadConfig(Self.fleet(#"identity = "unique""#)) }
    }

    @Test("with a shard, only the shard's devices get identities made")
    func sharded() throws {
        let directory = TemporaryDirectory()
        var loader = ConfigLoader(stateDirectoryOverride: directory.path + "/state", runtimeDirectoryOverride: directory.path + "/run")
        loader.shard = Shard(index: 1, count: 3)
        let config = try loader.load(text: Self.fleet(), source: "test.toml", baseDirectory: directory.path).sharded(Shard(index: 1, count: 3))
        #expect(config.devices.map(\.name) == ["node1", "node4"])
        let made = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/state/devices").filter { !$0.hasPrefix(".") }.sorted()
        #expect(made == ["node1", "node4"], "\(made)")
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
