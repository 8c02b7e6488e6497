import SPDMResponder
import SPDMWire

/// The fuzz device's VENDOR_DEFINED handlers: an exact static answer, a rule of fixed bytes and
/// request slices (reaching past short payloads), and an echo, so every path of the handler is reachable.
extension FuzzDevice {
    public static let vendorDefined = VendorDefinedHandlers([
        VendorDefinedHandler(standardID: 3, vendorID: [0x01, 0x00], request: [0x01, 0x10, 0x81], prefix: false,
                             response: [.bytes([0x01, 0x10, 0x01, 0x01, 0x10])]),
        VendorDefinedHandler(standardID: 3, vendorID: [0x01, 0x00], request: [0x00, 0x02], prefix: true,
                             response: [.bytes([0x00, 0x03]), .request(from: 2, to: 5), .bytes([0x00]), .request(from: 6, to: 8)]),
        VendorDefinedHandler(standardID: 0, vendorID: [], request: [], prefix: true,
                             response: [.bytes([0xEC]), .request(from: 0, to: nil)]),
    ])

    /// Vendor-defined requests that reach each handler, one without a handler, one too short for
    /// its rule, and (1.4) the large form.
    public static func vendorDefinedRequests(_ version: SPDMVersion) -> [[UInt8]] {
        let context = WireContext.unnegotiated(version)
        var fields: [VendorDefinedFields] = [
            VendorDefinedFields(standardID: 3, vendorID: [0x01, 0x00], payload: [0x01, 0x10, 0x81]),
            VendorDefinedFields(standardID: 3, vendorID: [0x01, 0x00], payload: [0x00, 0x02, 0x00, 0x00, 0x07, 0x00, 0x20, 0x01] + [UInt8](repeating: 0x5A, count: 40)),
            VendorDefinedFields(standardID: 3, vendorID: [0x01, 0x00], payload: [0x00, 0x02, 0x00]),
            VendorDefinedFields(standardID: 0, vendorID: [], payload: [1, 2, 3]),
            VendorDefinedFields(standardID: 3, vendorID: [0x98, 0x1E], payload: [0x00, 0x00, 0x00, 0x00]),
        ]
        if version >= .v14 { fields.append(VendorDefinedFields(standardID: 0, vendorID: [], payload: [7], large: true)) }
        return fields.map { VendorDefinedRequest(version: version, fields: $0).encoded(context: context) }
    }
}
