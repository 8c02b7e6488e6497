import Foundation
import SPDMCrypto
import SPDMDevice
import Testing

/// Identity records (IdentityRecord.swift): a stored leaf its record vouches for is used without
/// the full check; a missing or torn record, a leaf that changed and a new CA all fall back to it.
@Suite("Identity records")
struct IdentityRecordTests {
    static func leaf(_ config: FleetConfig, _ name: String) throws -> Certificate {
        let device = try #require(config.devices.first { $0.name == name })
        return try #require(try Certificate.parseConcatenatedDER(device.responder.slots[0].certificatesDER).last)
    }

    static func publicKey(_ config: FleetConfig, _ name: String) throws -> [UInt8] {
        try #require(config.devices.first { $0.name == name }).responder.slots[0].privateKey.publicKey.subjectPublicKeyInfoDER
    }

    @Test("every generated leaf gets a record; without it (or torn) the full check keeps the same leaf and writes it again")
    func recordWritten() throws {
        let directory = TemporaryDirectory()
        let first = try directory.loadConfig(FleetIdentityTests.fleet(count: 3))
        let record = directory.path + "/state/devices/node1/slot0.identity"
        let text = try String(contentsOfFile: record, encoding: .utf8)
        #expect(text.hasPrefix("spdm-fleetd identity record 1\nsha256 "), "\(text)")
        try FileManager.default.removeItem(atPath: record)
        try Data("spdm-fleetd identity record 1\nsha256 00\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/state/devices/node2/slot0.identity"))
        let again = try directory.loadConfig(FleetIdentityTests.fleet(count: 3))
        for name in ["node0", "node1", "node2"] {
            #expect(try Self.leaf(again, name).der == (try Self.leaf(first, name)).der, "\(name) keeps its leaf")
            #expect(try Self.publicKey(again, name) == (try Self.publicKey(first, name)), "\(name) keeps its key")
        }
        #expect(try String(contentsOfFile: record, encoding: .utf8) == text, "the full check writes the same record back")
    }

    @Test("a leaf replaced on disk fails the record and the full check: the device gets a new one for its own key")
    func replacedLeaf() throws {
        let directory = TemporaryDirectory()
        let first = try directory.loadConfig(FleetIdentityTests.fleet(count: 2))
        let devices = directory.path + "/state/devices/"
        try FileManager.default.removeItem(atPath: devices + "node1/slot0.cert.der")
        try FileManager.default.copyItem(atPath: devices + "node0/slot0.cert.der", toPath: devices + "node1/slot0.cert.der")
        let again = try directory.loadConfig(FleetIdentityTests.fleet(count: 2))
        let leaf = try Self.leaf(again, "node1")
        #expect(leaf.der != (try Self.leaf(first, "node0")).der, "node0's leaf is not taken")
        #expect(try leaf.subjectPublicKey().subjectPublicKeyInfoDER == (try Self.publicKey(again, "node1")),
                "the served leaf certifies the served key")
        #expect(try Self.leaf(again, "node0").der == (try Self.leaf(first, "node0")).der)
    }

    @Test("a new CA makes every record stale: new leaves under the new CA")
    func newAuthority() throws {
        let directory = TemporaryDirectory()
        let first = try directory.loadConfig(FleetIdentityTests.fleet(count: 2))
        try FileManager.default.removeItem(atPath: directory.path + "/state/ca")
        let again = try directory.loadConfig(FleetIdentityTests.fleet(count: 2))
        for name in ["node0", "node1"] {
            #expect(try Self.leaf(again, name).der != (try Self.leaf(first, name)).der)
            let device = try #require(again.devices.first { $0.name == name })
            let chain = try Certificate.parseConcatenatedDER(device.responder.slots[0].certificatesDER)
            try ChainVerifier.verify(chain: chain, trustedRoots: [chain[0]], options: .init(validAt: Date()))
        }
    }
}
