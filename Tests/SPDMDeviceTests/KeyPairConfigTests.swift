import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing

@Suite("Config: key pairs and provisioning capabilities")
struct KeyPairConfigTests {
    let directory = TemporaryDirectory()

    static func device(_ body: String, capabilities: String = "[\"CERT\", \"CHAL\"]") -> String {
        """
        [[device]]
        name = "kp"
        tcp = "127.0.0.1:0"
        capabilities = \(capabilities)
        \(body)
        """
    }

    func error(_ text: String) -> String? {
        do {
            _ = try directory.loadConfig(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a device without key pairs has one per slot")
    func defaults() throws {
        let config = try directory.loadConfig(Self.device("""
        [[device.slot]]
        id = 0
        generate = { algorithm = "ECDSA_P256" }
        [[device.slot]]
        id = 2
        generate = { algorithm = "ECDSA_P384" }
        """))
        let device = try #require(config.devices.first).responder
        #expect(device.keyPairs.map(\.id) == [1, 2])
        #expect(device.slots.map(\.keyPairID) == [1, 2])
        #expect(device.servedKeyPair(2)?.associatedSlotMask == 0x04)
    }

    @Test("explicit key pairs: generated (kept across loads), usage, algorithms, capabilities; slots name them")
    func explicit() throws {
        let text = Self.device("""
        supported_slots = [0, 1]
        [[device.key_pair]]
        id = 1
        generate = { algorithm = "ECDSA_P384" }
        usage = ["CHALLENGE"]
        usage_capabilities = ["CHALLENGE", "KEY_EX"]
        algorithms = ["ECDSA_P256"]
        capabilities = ["ERASABLE", "KEY_USAGE"]
        [[device.key_pair]]
        id = 2
        empty = "ECDSA_P256"
        [[device.slot]]
        id = 0
        key_pair = 1
        generate = { ca = "builtin" }
        """)
        let first = try #require(try directory.loadConfig(text).devices.first).responder
        let pair = try #require(first.servedKeyPair(1))
        #expect(pair.keyUsage == .challenge && pair.configured.keyUsageCapabilities == [.challenge, .keyExchange])
        #expect(pair.configured.asymAlgorithmCapabilities == [.ecc256, .ecc384])
        #expect(pair.configured.capabilities == [.erasable, .keyUsage])
        #expect(pair.associatedSlotMask == 0x01)
        #expect(first.servedKeyPair(2)?.privateKey == nil)
        #expect(first.supportedSlotMask == 0x03)
        let served = try #require(first.servedSlot(0))
        let leaf = try #require(try Certificate.parseConcatenatedDER(served.certificatesDER).last)
        #expect(leaf.publicKey.subjectPublicKeyInfoDER == pair.privateKey?.publicKey.subjectPublicKeyInfoDER)
        let second = try #require(try directory.loadConfig(text).devices.first).responder
        #expect(second.servedKeyPair(1)?.privateKey?.publicKey.subjectPublicKeyInfoDER == pair.privateKey?.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("ca_key is the CA directory's sample responder key (the key of bundle_responder.certchain.der)")
    func caKey() throws {
        let config = try directory.loadConfig(Self.device("""
        [[device.key_pair]]
        ca_key = { ca = "builtin", algorithm = "ECDSA_P384" }
        [[device.slot]]
        key_pair = 1
        generate = { ca = "builtin" }
        """))
        let key = try #require(config.devices.first?.responder.servedKeyPair(1)?.privateKey)
        let bundle = try #require(FileManager.default.contents(atPath: directory.path + "/state/ca/ecp384/bundle_responder.certchain.der"))
        let leaf = try #require(try Certificate.parseConcatenatedDER([UInt8](bundle)).last)
        #expect(leaf.publicKey.subjectPublicKeyInfoDER == key.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("bad key pair and slot settings name file, device and key", arguments: [
        ("[[device.key_pair]]\nid = 2\ngenerate = { algorithm = \"ECDSA_P256\" }\n[[device.slot]]\nkey_pair = 2\ngenerate = {}",
         "key 'key_pair[0].id': key pair ids run 1, 2, 3, ... in order; expected 1, got 2"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\nkey = \"k.pem\"\n[[device.slot]]\nkey_pair = 1\ngenerate = {}",
         "key 'key_pair[0].key': give exactly one of key, generate, ca_key or empty"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\nusage = [\"FLY\"]\n[[device.slot]]\nkey_pair = 1\ngenerate = {}",
         "key 'key_pair[0].usage': unknown value 'FLY'"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\nusage = [\"KEY_EX\"]\nusage_capabilities = [\"CHALLENGE\"]\n[[device.slot]]\nkey_pair = 1\ngenerate = {}",
         "key 'key_pair[0].usage': [\"KEY_EX\"] is beyond usage_capabilities"),
        ("[[device.key_pair]]\nempty = \"ECDSA_P256\"\ncapabilities = [\"ERASABLE\"]\n[[device.slot]]\ngenerate = {}",
         "key 'key_pair[0].empty': an empty key pair needs the GEN_KEY capability"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\n[[device.slot]]\ngenerate = {}",
         "key 'slot[0].key_pair': this device has [[device.key_pair]] tables"),
        ("[[device.slot]]\nkey_pair = 1\ngenerate = {}", "key 'slot[0].key_pair': the device has no [[device.key_pair]] tables"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\n[[device.slot]]\nkey_pair = 2\ngenerate = {}",
         "key 'slot[0].key_pair': no key pair 2"),
        ("[[device.key_pair]]\nempty = \"ECDSA_P256\"\n[[device.slot]]\nkey_pair = 1\ngenerate = {}",
         "key 'slot[0].key_pair': key pair 1 is empty"),
        ("[[device.key_pair]]\ngenerate = { algorithm = \"ECDSA_P256\" }\n[[device.slot]]\nkey_pair = 1\ngenerate = { algorithm = \"ECDSA_P384\" }",
         "key 'slot[0].generate.algorithm': ECDSA_P384 does not fit"),
        ("supported_slots = [9]\n[[device.slot]]\ngenerate = {}", "key 'supported_slots': must be an array of slot ids 0-7"),
    ])
    func errors(_ body: String, _ expected: String) {
        let failure = error(Self.device(body))
        #expect(failure?.hasPrefix("test.toml: device 'kp': \(expected)") == true, "got: \(failure ?? "no error")")
    }

    @Test("provisioning capabilities only in the combinations DSP0274 allows", arguments: [
        ("[\"CHAL\", \"SET_CERT\"]", "ALIAS_CERT and SET_CERT need CERT"),
        ("[\"CERT\", \"CHAL\", \"CSR\"]", "CSR needs SET_CERT"),
        ("[\"CERT\", \"CHAL\", \"CERT_INSTALL_RESET\"]", "CERT_INSTALL_RESET needs CSR or SET_CERT"),
        ("[\"CERT\", \"CHAL\", \"GET_KEY_PAIR_INFO\", \"MULTI_KEY_ONLY\", \"MULTI_KEY_NEG\"]", "MULTI_KEY_ONLY and MULTI_KEY_NEG exclude each other"),
        ("[\"CERT\", \"CHAL\", \"MULTI_KEY_NEG\"]", "MULTI_KEY_ONLY / MULTI_KEY_NEG need GET_KEY_PAIR_INFO and CERT"),
        ("[\"CERT\", \"CHAL\", \"SET_KEY_PAIR_INFO\"]", "SET_KEY_PAIR_INFO needs GET_KEY_PAIR_INFO"),
        ("[\"CERT\", \"CHAL\", \"GET_KEY_PAIR_INFO\", \"SET_KEY_PAIR_RESET\"]", "SET_KEY_PAIR_RESET needs SET_KEY_PAIR_INFO"),
    ])
    func capabilityRules(_ capabilities: String, _ expected: String) {
        let failure = error(Self.device("[[device.slot]]\ngenerate = {}", capabilities: capabilities))
        #expect(failure == "test.toml: device 'kp': key 'capabilities': \(expected)", "got: \(failure ?? "no error")")
    }
}
