import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMWire
import Testing

/// `[device.public_key]` and `requester_public_key` (PUB_KEY_ID_CAP, PublicKeyLoader.swift).
@Suite("Config loading: raw public keys")
struct PublicKeyConfigTests {
    let directory = TemporaryDirectory()

    func failure(_ text: String) -> String? {
        do {
            _ = try directory.loadConfig(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func device(capabilities: String, publicKey: String? = "generate = { algorithm = \"ECDSA_P256\" }", extra: String = "") -> String {
        """
        [[device]]
        name = "raw"
        tcp = "127.0.0.1:0"
        capabilities = [\(capabilities)]
        \(extra)
        \(publicKey.map { "[device.public_key]\n\($0)" } ?? "")
        [[device.measurement]]
        index = 1
        type = "mutable_firmware"
        value = "fw"
        """
    }

    @Test("a generated key signs, with no slot; the algorithms follow it; a requester key file is read (DER or PEM)")
    func loads() throws {
        let requester = try PrivateKey.generate(.ecdsaP384)
        let der = directory.path + "/requester.pub.der"
        FileManager.default.createFile(atPath: der, contents: Data(requester.publicKey.subjectPublicKeyInfoDER))
        let config = try directory.loadConfig(Self.device(capabilities: "\"CHAL\", \"MEAS_SIG\", \"PUB_KEY_ID\"",
                                                          extra: "requester_public_key = \"\(der)\""))
        let device = try #require(config.devices.first).responder
        #expect(device.slots.isEmpty)
        #expect(device.asymPreference == [.ecdsaP256])
        #expect(device.rawPublicKeyIdentity?.matches(.ecdsaP256) == true)
        #expect(device.mutualAuth.requesterPublicKey?.subjectPublicKeyInfoDER == requester.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("PUB_KEY_ID without a key, a key without PUB_KEY_ID, PUB_KEY_ID with CERT, an unreadable requester key: one clear error each")
    func errors() {
        #expect(failure(Self.device(capabilities: "\"CHAL\", \"PUB_KEY_ID\"", publicKey: nil))?.contains("PUB_KEY_ID needs a [device.public_key]") == true)
        #expect(failure(Self.device(capabilities: "\"CHAL\""))?.contains("needs the PUB_KEY_ID capability") == true)
        #expect(failure(Self.device(capabilities: "\"CERT\", \"CHAL\", \"PUB_KEY_ID\""))?.contains("exclude each other") == true)
        #expect(failure(Self.device(capabilities: "\"CHAL\", \"PUB_KEY_ID\"", extra: "requester_public_key = \"missing.der\""))?
            .contains("cannot read") == true)
    }
}
