import Foundation
import SPDMTestSupport
import Testing

/// VENDOR_DEFINED_REQUEST end to end: the real daemon with a device configured with a static table
/// entry and an echo rule, and spdmctl vendor sending requests over TCP (MCTP and PCI-DOE).
@Suite("spdmctl vendor against the real daemon", .serialized)
struct VendorDefinedOverSocketsTests {
    static func config(transport: String) -> String {
        """
        [[device]]
        name = "vendor0"
        transport = "\(transport)"
        tcp = "127.0.0.1:0"
        capabilities = ["CERT", "CHAL"]
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.vendor_defined]]
        standard = "PCISIG"
        vendor_id = "hex:0100"
        request = "hex:01 10 81"
        response = "hex:01 10 01 0000 01 10"
        [[device.vendor_defined]]
        standard = "DMTF"
        request_prefix = "hex:EC"
        response = ["hex:AA55", "request[1..]"]
        """
    }

    @Test("a static answer, a rule's answer, and UnsupportedRequest without a handler", arguments: ["mctp", "pci-doe"])
    func vendorDefined(_ transport: String) throws {
        let daemon = try TestDaemon(config: Self.config(transport: transport))
        let port = try #require(daemon.port("vendor0"))
        let spdmctl = Products.path("spdmctl")
        let endpoint = ["vendor", "--connect", "127.0.0.1:\(port)", "--transport", transport]
        let table = try runProcess(spdmctl, endpoint + ["--standard", "PCISIG", "--vendor-id", "hex:0100", "--payload", "hex:011081"])
        #expect(table.status == 0 && table.output.contains("01100100000110"), "\(table.output)")
        let rule = try runProcess(spdmctl, endpoint + ["--standard", "DMTF", "--payload", "hex:EC0102"])
        #expect(rule.status == 0 && rule.output.contains("aa550102"), "\(rule.output)")
        let none = try runProcess(spdmctl, endpoint + ["--standard", "CXL", "--vendor-id", "hex:981E", "--payload", "hex:00"])
        #expect(none.status == 2 && none.output.contains("UnsupportedRequest"), "\(none.output)")
        #expect(daemon.stop() == 0)
    }
}
