import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing

@Suite("Config: data_transfer_size, max_spdm_msg_size and CHUNK")
struct MessageSizeConfigTests {
    let directory = TemporaryDirectory()

    static func device(_ lines: String, versions: String = "[\"1.2\", \"1.3\"]", capabilities: String = "[\"CERT\", \"CHAL\", \"CHUNK\"]") -> String {
        """
        [[device]]
        name = "d0"
        tcp = "127.0.0.1:0"
        versions = \(versions)
        capabilities = \(capabilities)
        \(lines)
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
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

    @Test("the smallest DataTransferSize the specification allows, and CAPABILITIES reports both sizes")
    func smallest() throws {
        let config = try directory.loadConfig(Self.device("data_transfer_size = 42\nmax_spdm_msg_size = 65536"))
        let device = config.devices[0].responder
        #expect(device.dataTransferSize == 42 && device.maxSPDMMessageSize == 65_536)
        var responder = ResponderConnection(device: device)
        _ = responder.respond(to: GetVersionRequest().encoded(context: .unnegotiated(.v10)))
        let reply = responder.respond(to: GetCapabilitiesRequest(version: .v13, flags: .chunk, dataTransferSize: 4096, maxSPDMMessageSize: 4096)
            .encoded(context: .unnegotiated(.v13)))
        let capabilities = try CapabilitiesResponse(decoding: reply, context: .unnegotiated(.v13))
        #expect(capabilities.dataTransferSize == 42)
        #expect(capabilities.maxSPDMMessageSize == 65_536)
        #expect(capabilities.flags.contains(.chunk))
    }

    @Test("defaults: 4096 each; without CHUNK max_spdm_msg_size follows data_transfer_size")
    func defaults() throws {
        let plain = try directory.loadConfig(Self.device("data_transfer_size = 100", capabilities: "[\"CERT\", \"CHAL\"]")).devices[0].responder
        #expect(plain.dataTransferSize == 100 && plain.maxSPDMMessageSize == 100)
        let chunk = try directory.loadConfig(Self.device("")).devices[0].responder
        #expect(chunk.dataTransferSize == 4096 && chunk.maxSPDMMessageSize == 4096)
    }

    @Test("bad combinations name the file, device and key", arguments: [
        (device("data_transfer_size = 41"),
         "test.toml: device 'd0': key 'data_transfer_size': 41 is below 42, the smallest the specification allows (MinDataTransferSize)"),
        (device("data_transfer_size = 512\nmax_spdm_msg_size = 256"),
         "test.toml: device 'd0': key 'max_spdm_msg_size': 256 is below data_transfer_size (512)"),
        (device("data_transfer_size = 512\nmax_spdm_msg_size = 1024", capabilities: "[\"CERT\", \"CHAL\"]"),
         "test.toml: device 'd0': key 'max_spdm_msg_size': must equal data_transfer_size (512) unless the CHUNK capability is set"),
        (device("", versions: "[\"1.0\", \"1.1\"]"),
         "test.toml: device 'd0': key 'capabilities': CHUNK needs SPDM 1.2 or later in versions"),
        (device("", capabilities: "[\"CERT\", \"CHAL\", \"CHUNK\", \"LARGE_RESP\"]"),
         "test.toml: device 'd0': key 'capabilities': LARGE_RESP needs SPDM 1.4 in versions"),
        (device("max_spdm_msg_size = 20000000"),
         "test.toml: device 'd0': key 'max_spdm_msg_size': 20000000 is out of range 42...16777215"),
    ])
    func errors(text: String, expected: String) {
        let message = error(text)
        #expect(message?.hasPrefix(expected) == true, "got: \(message ?? "no error")")
    }
}
