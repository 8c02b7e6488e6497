import SPDMDevice
import SPDMResponder
import SPDMWire
import Testing

@Suite("Config: [[device.vendor_defined]]")
struct VendorDefinedConfigTests {
    let directory = TemporaryDirectory()

    static func device(_ entries: String) -> String {
        """
        [[device]]
        name = "d0"
        tcp = "127.0.0.1:0"
        capabilities = ["CERT", "CHAL"]
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        \(entries)
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

    @Test("a static table entry and a rule of parts load as handlers")
    func loads() throws {
        let config = try directory.loadConfig(Self.device("""
            [[device.vendor_defined]]
            standard = "PCISIG"
            vendor_id = "hex:0100"
            request = "hex:01 10 81"
            response = "hex:01 10 01 0000 01 10"
            [[device.vendor_defined]]
            standard = 0
            request_prefix = ""
            response = ["hex:AA55", "request[1..3]", "zeros:2", "request"]
            """))
        let handlers = config.devices[0].responder.vendorDefined.handlers
        #expect(handlers == [
            VendorDefinedHandler(standardID: 3, vendorID: [0x01, 0x00], request: [0x01, 0x10, 0x81], prefix: false,
                                 response: [.bytes([0x01, 0x10, 0x01, 0x00, 0x00, 0x01, 0x10])]),
            VendorDefinedHandler(standardID: 0, vendorID: [], request: [], prefix: true,
                                 response: [.bytes([0xAA, 0x55]), .request(from: 1, to: 3), .bytes([0, 0]), .request(from: 0, to: nil)]),
        ])
    }

    @Test("bad entries name the file, device and key", arguments: [
        ("standard = \"PCI\"\nrequest = \"x\"\nresponse = \"y\"",
         "test.toml: device 'd0': key 'vendor_defined[0].standard': unknown value 'PCI'"),
        ("standard = 12\nrequest = \"x\"\nresponse = \"y\"",
         "test.toml: device 'd0': key 'vendor_defined[0].standard': 12 is not a registry DSP0274 defines (0-11)"),
        ("standard = \"PCISIG\"\nvendor_id = \"hex:01\"\nrequest = \"x\"\nresponse = \"y\"",
         "test.toml: device 'd0': key 'vendor_defined[0].vendor_id': a VendorID of 1 bytes is not valid for standard 3"),
        ("standard = \"DMTF\"\nresponse = \"y\"",
         "test.toml: device 'd0': key 'vendor_defined[0].request': give exactly one of 'request' (the whole payload) and 'request_prefix'"),
        ("standard = \"DMTF\"\nrequest = \"x\"\nresponse = [\"request[3..1]\"]",
         "test.toml: device 'd0': key 'vendor_defined[0].response': 'request[3..1]': the end offset must be a number not below the start"),
        ("standard = \"DMTF\"\nrequest = \"x\"\nresponse = [\"request(1)\"]",
         "test.toml: device 'd0': key 'vendor_defined[0].response': 'request(1)' is neither 'request' nor 'request[a..b]'"),
        ("standard = \"DMTF\"\nrequest = \"x\"",
         "test.toml: device 'd0': key 'vendor_defined[0].response': is required: a byte string, or a list of byte strings and request[a..b] parts"),
        ("standard = \"DMTF\"\nrequest = \"x\"\nresponse = \"y\"\nreply = \"z\"",
         "test.toml: device 'd0': key 'vendor_defined[0].reply': unknown key"),
    ])
    func errors(_ entry: String, _ expected: String) {
        let message = error(Self.device("[[device.vendor_defined]]\n" + entry))
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "no error")")
    }
}
