import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing

@Suite("Config: measurement_log, hash_extend, endpoint_identifier, MEL and EP_INFO")
struct EndpointInfoLogConfigTests {
    let directory = TemporaryDirectory()

    static func device(_ body: String, capabilities: String = "[\"CERT\", \"CHAL\", \"MEAS_SIG\", \"MEL\", \"EP_INFO_SIG\"]") -> String {
        """
        [[device]]
        name = "d0"
        tcp = "127.0.0.1:0"
        versions = ["1.3"]
        capabilities = \(capabilities)
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.measurement]]
        index = 1
        type = "mutable_firmware"
        value = "fw"
        \(body)
        """
    }

    static let extend = """
        [[device.measurement]]
        index = 9
        type = "hash_extend"
        """

    func error(_ text: String) -> String? {
        do {
            _ = try directory.loadConfig(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("the log, its hash-extend measurement and the identifiers load as written")
    func loads() throws {
        let config = try directory.loadConfig(Self.device(Self.extend + """

            [[device.measurement_log]]
            value = "ROM"
            [[device.measurement_log]]
            type = "mutable_firmware"
            value = "hex:0102"
            representation = "digest"
            [[device.endpoint_identifier]]
            registry = "pci-sig"
            vendor_id = "hex:1AB4"
            sub_ids = ["hex:0001", "gpu"]
            [[device.endpoint_identifier]]
            registry = 9
            """))
        let device = config.devices[0].responder
        #expect(device.measurements.extendIndex == 9)
        #expect(device.measurements.log == [.init(type: .informational, value: Array("ROM".utf8)),
                                            .init(type: .mutableFirmware, value: [1, 2], representation: .digest)])
        #expect(device.endpointInfo.elements == [.init(registry: 3, vendorID: [0x1A, 0xB4], subIdentifiers: [[0, 1], Array("gpu".utf8)]),
                                                 .init(registry: 9, subIdentifiers: [])])
    }

    @Test("bad combinations name the file, device and key", arguments: [
        (device(""), "test.toml: device 'd0': key 'measurement': MEL needs a [[device.measurement]] of type \"hash_extend\" (the log's extension)"),
        (device(extend + "\nvalue = \"x\""),
         "test.toml: device 'd0': key 'measurement[1].value': a hash_extend measurement is computed from [[device.measurement_log]]; it takes no value"),
        (device("[[device.measurement_log]]\nvalue = \"x\"", capabilities: "[\"CERT\", \"CHAL\", \"MEAS_SIG\"]"),
         "test.toml: device 'd0': key 'measurement_log': the log needs a [[device.measurement]] of type \"hash_extend\" to extend"),
        (device(extend, capabilities: "[\"CERT\", \"CHAL\", \"MEAS_SIG\", \"MEL\", \"EP_INFO_SIG\", \"EP_INFO_NO_SIG\"]"),
         "test.toml: device 'd0': key 'capabilities': EP_INFO_NO_SIG and EP_INFO_SIG exclude each other"),
        (device(extend + "\n[[device.endpoint_identifier]]\nregistry = \"nobody\""),
         "test.toml: device 'd0': key 'endpoint_identifier[0].registry': unknown value 'nobody' (expected one of: dmtf, tcg, usb, pci-sig, iana, hdbaset, mipi, cxl, jedec, vesa, iana-cbor)"),
    ])
    func refused(_ text: String, _ message: String) {
        #expect(error(text) == message)
    }
}
