import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing

/// `[device.algorithms]` with ML-DSA and ML-KEM, ML-DSA slots from the builtin CA, hybrid slots,
/// and the errors a bad post-quantum config gets.
@Suite("Config: post-quantum algorithms")
struct PostQuantumConfigTests {
    let directory = TemporaryDirectory()

    static func device(versions: String = #"["1.3", "1.4"]"#, algorithms: String, slots: String) -> String {
        """
        [[device]]
        name = "q0"
        tcp = "127.0.0.1:0"
        versions = \(versions)
        capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX"]
        [device.algorithms]
        \(algorithms)
        \(slots)
        [[device.measurement]]
        index = 1
        type = "mutable_firmware"
        value = "fw"
        """
    }

    static let mlDsaSlot = """
        [[device.slot]]
        id = 0
        generate = { algorithm = "ML_DSA_65" }
        """

    func error(_ text: String) throws -> String {
        do {
            _ = try directory.loadConfig(text)
        } catch let error as ConfigError {
            return error.description
        }
        Issue.record("the config loaded")
        return ""
    }

    @Test("asym names ML-DSA next to the classic algorithms; kem and pqc_first; an ML-DSA slot from the builtin CA")
    func postQuantumDevice() throws {
        let config = try directory.loadConfig(Self.device(algorithms: #"asym = ["ML_DSA_65"]"# + "\n" + #"kem = ["ML_KEM_1024", "ML_KEM_768"]"#
                                                          + "\npqc_first = true", slots: Self.mlDsaSlot))
        let device = try #require(config.devices.first).responder
        #expect(device.asymPreference.isEmpty && device.pqcAsymPreference == [.mlDsa65])
        #expect(device.kemPreference == [.mlKem1024, .mlKem768] && device.pqcFirst)
        let slot = try #require(device.slots.first)
        #expect(slot.privateKey.matches(PQCSignatureAlgorithm.mlDsa65))
        let leaf = try #require(try Certificate.parseConcatenatedDER(slot.certificatesDER).last)
        #expect(leaf.publicKey.matches(PQCSignatureAlgorithm.mlDsa65))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/state/devices/q0/slot0.mldsa65.key"))
        // A restart presents the same leaf.
        let again = try #require(try directory.loadConfig(Self.device(algorithms: #"asym = ["ML_DSA_65"]"#, slots: Self.mlDsaSlot)).devices.first)
        #expect(again.responder.slots.first?.certificatesDER == slot.certificatesDER)
    }

    @Test("without asym, a device offers what its slots' keys sign with, ML-DSA included; a hybrid slot keeps both leaves")
    func hybridSlot() throws {
        let slots = """
            [[device.slot]]
            id = 0
            generate = { algorithm = "ECDSA_P384" }
            [[device.slot]]
            id = 0
            generate = { algorithm = "ML_DSA_87" }
            """
        let text = Self.device(algorithms: #"kem = ["ML_KEM_768"]"#, slots: slots)
        let device = try #require(try directory.loadConfig(text).devices.first).responder
        #expect(device.asymPreference == [.ecdsaP384] && device.pqcAsymPreference == [.mlDsa87])
        #expect(device.slots.count == 1)
        let slot = try #require(device.slots.first)
        #expect(slot.otherAlgorithmChains.map { $0.privateKey.keyType } == [.mlDsa(.mlDsa87)])
        let reloaded = try #require(try directory.loadConfig(text).devices.first).responder.slots[0]
        #expect(reloaded.certificatesDER == slot.certificatesDER)
        #expect(reloaded.otherAlgorithmChains.first?.certificatesDER == slot.otherAlgorithmChains.first?.certificatesDER)
    }

    @Test("bad post-quantum configs name the file, the device and the key")
    func errors() throws {
        let noV14 = try error(Self.device(versions: #"["1.2", "1.3"]"#, algorithms: #"asym = ["ML_DSA_65"]"#, slots: Self.mlDsaSlot))
        #expect(noV14.contains("test.toml") && noV14.contains("q0") && noV14.contains("algorithms") && noV14.contains("1.4"))
        let kem512 = try error(Self.device(algorithms: #"kem = ["ML_KEM_512"]"#, slots: Self.mlDsaSlot))
        #expect(kem512.contains("kem") && kem512.contains("ML_KEM_512"))
        let unknown = try error(Self.device(algorithms: #"kem = ["KYBER"]"#, slots: Self.mlDsaSlot))
        #expect(unknown.contains("kem") && unknown.contains("ML_KEM_768"))
        let noKey = try error(Self.device(algorithms: #"asym = ["ML_DSA_87"]"#, slots: Self.mlDsaSlot))
        #expect(noKey.contains("asym") && noKey.contains("ML_DSA_87"))
        let twice = try error(Self.device(algorithms: "", slots: Self.mlDsaSlot + "\n" + Self.mlDsaSlot.replacingOccurrences(of: "65", with: "87")))
        #expect(twice.contains("slot 0") && twice.contains("post-quantum"))
    }
}
