import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMTransport
import SPDMWire
import Testing

/// A scratch state directory per test, removed afterwards.
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "spdm-fleet-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Loads `text` as "test.toml" with its state and runtime directories in this directory.
    func loadConfig(_ text: String) throws -> FleetConfig {
        try ConfigLoader(stateDirectoryOverride: path + "/state", runtimeDirectoryOverride: path + "/run")
            .load(text: text, source: "test.toml", baseDirectory: path)
    }
}

@Suite("Config loading")
struct ConfigLoaderTests {
    let directory = TemporaryDirectory()

    func load(_ text: String) throws -> FleetConfig { try directory.loadConfig(text) }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let minimal = """
    [[device]]
    name = "d0"
    tcp = "127.0.0.1:0"
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "mutable_firmware"
    value = "fw"
    """

    @Test("the embedded default config loads: several devices, loopback only")
    func defaultConfig() throws {
        let config = try load(DefaultConfig.text)
        #expect(config.devices.count >= 3)
        #expect(config.devices[0].name == "gpu0")
        #expect(config.devices[0].listeners == [.tcp(host: "127.0.0.1", port: 2323)])
        #expect(config.devices[0].transport == .mctp)
        for device in config.devices {
            for listener in device.listeners {
                if case .tcp(let host, _) = listener { #expect(host == "127.0.0.1") }
            }
        }
    }

    @Test("config/default.toml is the embedded default")
    func defaultFileMatchesEmbedded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("config/default.toml"), encoding: .utf8)
        #expect(file == DefaultConfig.text)
    }

    @Test("config/interop.toml: one device per algorithm on ports 2324-2330 in order")
    func interopConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ConfigLoader(stateDirectoryOverride: directory.path + "/state")
            .load(file: root.appendingPathComponent("config/interop.toml").path)
        let expected: [(Int, BaseAsymAlgorithms)] = [
            (2324, .ecdsaP256), (2325, .ecdsaP384), (2326, .ecdsaP521), (2327, .rsassa3072),
            (2328, .rsapss3072), (2329, .eddsaEd25519), (2330, .eddsaEd448),
        ]
        for ((port, asym), device) in zip(expected, config.devices.prefix(7)) {
            #expect(device.listeners.first == .tcp(host: "127.0.0.1", port: port))
            #expect(device.responder.asymPreference.map { BaseAsymAlgorithms(rawValue: asymBit($0)) } == [asym])
            #expect(device.responder.hashPreference.count == 6)
        }
        // Then the four mutual-authentication devices on 2331-2334, in the order the issue fixes.
        let mutual: [(Int, MutualAuthSettings.Mode, Bool)] = [
            (2331, .keyExchange, false), (2332, .encapsulated, true), (2333, .encapsulatedDigests, true), (2334, .basic, true),
        ]
        #expect(config.devices.count == 24)
        for ((port, mode, encap), device) in zip(mutual, config.devices.dropFirst(7)) {
            #expect(device.listeners.first == .tcp(host: "127.0.0.1", port: port))
            #expect(device.responder.asymPreference == [.ecdsaP384])
            #expect(device.responder.mutualAuth.mode == mode)
            #expect(device.responder.capabilities.contains([.mutAuth, .keyEx, .encrypt, .mac, .pskWithContext, .heartbeat, .keyUpdate]))
            #expect(device.responder.capabilities.contains(.encap) == encap)
            #expect(device.responder.sessionSettings.psks.count == 1)
            #expect(device.responder.requesterAsymPreference.first == .rsapss3072)
            #expect(device.responder.mutualAuth.provisionedRequesterChains[.classic(.rsapss3072)] != nil)
            #expect(!device.responder.mutualAuth.trustedRoots.isEmpty)
        }
        // 2335: the encapsulated flow with the handshake in the clear.
        let clear = config.devices[11]
        #expect(clear.listeners.first == .tcp(host: "127.0.0.1", port: 2335))
        #expect(clear.responder.mutualAuth.mode == .encapsulated)
        #expect(clear.responder.capabilities.contains([.encap, .handshakeInTheClear]))
        // 2336-2337: gpu0's session device at 1.4 over MCTP, and over PCI-DOE on TCP.
        for (device, port) in zip(config.devices.dropFirst(12).prefix(2), [2336, 2337]) {
            #expect(device.listeners.first == .tcp(host: "127.0.0.1", port: port))
            #expect(device.responder.versions.contains(.v14))
            #expect(device.responder.capabilities.contains([.keyEx, .pskWithContext, .encap, .handshakeInTheClear]))
        }
        // 2338: SM2 with SM3.
        let sm2 = config.devices[14]
        #expect(sm2.listeners.first == .tcp(host: "127.0.0.1", port: 2338))
        #expect(sm2.responder.asymPreference == [.sm2])
        // 2346: 1.3 with CHUNK and the smallest DataTransferSize.
        let chunking = try #require(config.devices.first { $0.name == "chunking" })
        #expect(chunking.listeners.first == .tcp(host: "127.0.0.1", port: 2346))
        #expect(chunking.responder.versions.last == .v13)
        #expect(chunking.responder.capabilities.contains([.chunk, .keyEx, .pskWithContext, .heartbeat, .keyUpdate]))
        #expect(chunking.responder.dataTransferSize == 42)
        #expect(chunking.responder.maxSPDMMessageSize == 65_536)
        // 2343-2344: provisioning with the reference responder's default capability set, at 1.3 and 1.4.
        for (name, port, top) in [("provisioning-1.3", 2343, SPDMVersion.v13), ("provisioning-1.4", 2344, .v14)] {
            let device = try #require(config.devices.first { $0.name == name })
            #expect(device.listeners.first == .tcp(host: "127.0.0.1", port: port))
            #expect(device.responder.versions.last == top)
            #expect(device.responder.capabilities.contains([.setCert, .csr, .multiKeyNegotiated, .getKeyPairInfo, .setKeyPairInfo, .chunk,
                                                            .mutAuth, .encap, .keyEx, .pskWithContext, .handshakeInTheClear]))
            #expect(device.responder.keyPairs.map(\.id) == [1, 2])
            #expect(device.responder.slots.map(\.keyPairID) == [2])
            #expect(device.responder.servedSlot(0)?.signingKey != nil)
            #expect(device.responder.capabilities.contains(.event))
        }
        // 2347: a raw public key (the CA directory's responder key), no certificate, and the requester's public key.
        let raw = try #require(config.devices.first { $0.name == "raw-public-key" })
        #expect(raw.listeners.first == .tcp(host: "127.0.0.1", port: 2347))
        #expect(raw.responder.capabilities.contains([.pubKeyID, .chal, .keyEx, .mutAuth]) && !raw.responder.capabilities.contains(.cert))
        #expect(raw.responder.slots.isEmpty)
        let responderPublicKey = try #require(FileManager.default.contents(atPath: directory.path + "/state/ca/ecp384/end_responder.key.pub.der"))
        #expect(raw.responder.rawPublicKeyIdentity?.publicKey.subjectPublicKeyInfoDER == [UInt8](responderPublicKey))
        let requesterPublicKey = try #require(FileManager.default.contents(atPath: directory.path + "/state/ca/rsa3072/end_requester.key.pub.der"))
        #expect(raw.responder.mutualAuth.requesterPublicKey?.subjectPublicKeyInfoDER == [UInt8](requesterPublicKey))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/state/ca/rsa3072/bundle_requester.certchain.der"))
        // 2348-2351: post-quantum SPDM 1.4 (ML-DSA-65/ML-KEM-768, ML-DSA-87/ML-KEM-1024, hybrid, ML-DSA mutual auth).
        let pqc: [(String, Int, PQCSignatureAlgorithm, KEMAlgorithm)] = [
            ("pqc-mldsa65", 2348, .mlDsa65, .mlKem768), ("pqc-mldsa87", 2349, .mlDsa87, .mlKem1024),
            ("pqc-hybrid", 2350, .mlDsa65, .mlKem768), ("pqc-mutual-auth", 2351, .mlDsa65, .mlKem768),
        ]
        for (name, port, asym, kem) in pqc {
            let device = try #require(config.devices.first { $0.name == name })
            #expect(device.listeners.first == .tcp(host: "127.0.0.1", port: port))
            #expect(device.responder.versions.last == .v14)
            #expect(device.responder.pqcAsymPreference == [asym] && device.responder.kemPreference == [kem] && device.responder.pqcFirst)
            #expect(device.responder.capabilities.contains(.chunk))
            #expect(device.responder.servedSigningKeys.contains { $0.matches(asym) })
        }
        let hybrid = try #require(config.devices.first { $0.name == "pqc-hybrid" })
        #expect(hybrid.responder.asymPreference == [.ecdsaP384] && hybrid.responder.dhePreference == [.secp384r1])
        #expect(hybrid.responder.slots.count == 1 && hybrid.responder.slots[0].otherAlgorithmChains.count == 1)
        let mutualPQC = try #require(config.devices.first { $0.name == "pqc-mutual-auth" })
        #expect(mutualPQC.responder.requesterPQCAsymPreference == [.mlDsa65] && mutualPQC.responder.mutualAuth.mode == .encapsulated)
        for file in ["ca.cert.der", "ca1.cert.der", "bundle_requester.certchain.der", "end_requester.key"] {
            #expect(FileManager.default.fileExists(atPath: directory.path + "/state/ca/mldsa65/" + file), "\(file)")
        }
    }

    private func asymBit(_ algorithm: SignatureAlgorithm) -> UInt32 {
        let names: [SignatureAlgorithm: UInt32] = [
            .ecdsaP256: 1 << 4, .ecdsaP384: 1 << 7, .ecdsaP521: 1 << 8, .rsassa3072: 1 << 2, .rsapss3072: 1 << 3,
            .ed25519: 1 << 10, .ed448: 1 << 11,
        ]
        return names[algorithm] ?? 0
    }

    @Test("a minimal device gets the documented defaults")
    func defaults() throws {
        let device = try #require(try load(Self.minimal).devices.first)
        #expect(device.responder.versions == [.v10, .v11, .v12, .v13])
        #expect(device.responder.capabilities == [.cert, .chal, .measWithSignature, .measFresh])
        #expect(device.responder.slots.map(\.id) == [0])
        #expect(device.transport == .mctp)
    }

    @Test("a generated slot keeps its key across loads (state directory)")
    func generatedIdentityPersists() throws {
        let first = try #require(try load(Self.minimal).devices.first?.responder.slots.first)
        let second = try #require(try load(Self.minimal).devices.first?.responder.slots.first)
        #expect(first.certificatesDER == second.certificatesDER)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/state/ca/ecp256/ca.cert.der"))
        let keyPath = directory.path + "/state/devices/d0/slot0.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("a fleet template expands to count devices with their own ports and sockets")
    func fleetTemplate() throws {
        let config = try load("""
        [[device]]
        name = "node{i}"
        count = 3
        tcp = "127.0.0.1:4000"
        unix = "node{i}.sock"
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.measurement]]
        index = 1
        type = "mutable_firmware"
        value = "fw"
        """)
        #expect(config.devices.map(\.name) == ["node0", "node1", "node2"])
        #expect(config.devices[2].listeners == [.tcp(host: "127.0.0.1", port: 4002),
                                                 .unix(path: directory.path + "/run/node2.sock", mode: 0o600)])
    }

    @Test("errors name the file, the device and the key", arguments: [
        ("capabilities = [\"CERT\", \"TELEPORT\"]", "test.toml: device 'd0': key 'capabilities': unknown capability 'TELEPORT'"),
        ("versions = [\"1.9\"]", "test.toml: device 'd0': key 'versions': unknown version '1.9'"),
        ("transport = \"smoke-signals\"", "test.toml: device 'd0': key 'transport': unknown transport 'smoke-signals'"),
        ("tcp_port = 5", "test.toml: device 'd0': key 'tcp_port': unknown key"),
        ("ct_exponent = 99", "test.toml: device 'd0': key 'ct_exponent': 99 is out of range 0...31"),
        ("algorithms = { hash = [\"MD5\"] }", "test.toml: device 'd0': key 'algorithms.hash': unknown value 'MD5'"),
        ("faults = { not_ready = [\"DANCE\"] }", "test.toml: device 'd0': key 'faults.not_ready': unknown request 'DANCE'"),
        // DSP0274: RDTM is always greater than 1 (DMTF's requester gives up on 1).
        ("faults = { not_ready = [\"CHALLENGE\"], rdtm = 1 }", "test.toml: device 'd0': key 'faults.rdtm': 1 is out of range 2...255"),
    ])
    func errorsNameTheKey(line: String, expected: String) throws {
        let text = Self.minimal.replacingOccurrences(of: "tcp = \"127.0.0.1:0\"", with: "tcp = \"127.0.0.1:0\"\n\(line)")
        let failure = try #require(error(text))
        #expect(failure.description.hasPrefix(expected), "got: \(failure.description)")
    }

    @Test("errors inside slots and measurements name the element")
    func nestedErrors() throws {
        let badSlot = Self.minimal.replacingOccurrences(of: "generate = { algorithm = \"ECDSA_P256\" }",
                                                        with: "chain = \"missing.der\"\nkey = \"missing.key\"")
        #expect(error(badSlot)?.description.hasPrefix("test.toml: device 'd0': key 'slot[0].chain': cannot read") == true)
        let badMeasurement = Self.minimal.replacingOccurrences(of: "index = 1", with: "index = 255")
        #expect(error(badMeasurement)?.description == "test.toml: device 'd0': key 'measurement[0].index': 255 is out of range 1...254")
    }

    @Test("two devices on one port is an error naming both")
    func duplicateListener() throws {
        let text = Self.minimal.replacingOccurrences(of: "127.0.0.1:0", with: "127.0.0.1:4100") + "\n" +
            Self.minimal.replacingOccurrences(of: "127.0.0.1:0", with: "127.0.0.1:4100").replacingOccurrences(of: "\"d0\"", with: "\"d1\"")
        let message = try #require(error(text)).description
        #expect(message == "test.toml: device 'd1': key 'listen': tcp:127.0.0.1:4100 is already used by device 'd0'")
    }

    @Test("a TOML syntax error reports line and column")
    func syntaxError() throws {
        let message = try #require(error("[[device]]\nname = \"x\nfoo")).description
        #expect(message.hasPrefix("test.toml: TOML syntax error at line"))
    }

    @Test("chain and key files load, root first, and the key must match the leaf")
    func slotFromFiles() throws {
        // Use the builtin CA's requester chain and key as a stand-in for files a user brings.
        _ = try load(Self.minimal)
        let ca = directory.path + "/state/ca/ecp256/"
        let text = Self.minimal.replacingOccurrences(of: "generate = { algorithm = \"ECDSA_P256\" }",
                                                     with: "chain = \"\(ca)bundle_requester.certchain.der\"\nkey = \"\(ca)end_requester.key\"")
        let slot = try #require(try load(text).devices.first?.responder.slots.first)
        #expect(slot.rootCertificateDER == (try? Data(contentsOf: URL(fileURLWithPath: ca + "ca.cert.der"))).map { [UInt8]($0) })
        let wrongKey = text.replacingOccurrences(of: "end_requester.key", with: "inter.key")
        #expect(error(wrongKey)?.description.contains("does not belong to the leaf certificate") == true)
    }

    @Test("PSK hints may carry a NUL, as the reference requester's does")
    func pskStore() throws {
        let text = Self.minimal + """

        [[device.psk]]
        hint = "cstr:TestPskHint"
        key = "hex:5465737450736b4461746100"
        """
        let device = try #require(try load(text).devices.first)
        #expect(device.psk.key(forHint: Array("TestPskHint".utf8) + [0]) == Array("TestPskData".utf8) + [0])
        #expect(device.psk.key(forHint: Array("Other".utf8)) == nil)
    }
}

@Suite("State directory shared by several loaders")
struct SharedStateDirectoryTests {
    @Test("concurrent loads of one state directory create one consistent CA and identity")
    func concurrentGeneration() async throws {
        let directory = TemporaryDirectory()
        let base = directory.path
        let text = ConfigLoaderTests.minimal
        let loader = ConfigLoader(stateDirectoryOverride: base + "/state", runtimeDirectoryOverride: base + "/run")
        let chains = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try loader.load(text: text, source: "test.toml", baseDirectory: base).devices[0].responder.slots[0].certificatesDER
                }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(Set(chains).count == 1)
        // The directory stays loadable: its key matches its certificate.
        #expect(throws: Never.self) { try CertificateAuthority.load(directory: base + "/state/ca", algorithm: .ecdsaP256) }
    }
}
