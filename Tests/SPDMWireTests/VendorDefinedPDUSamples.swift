@testable import SPDMWire

/// Samples of VENDOR_DEFINED_REQUEST / VENDOR_DEFINED_RESPONSE: every registry's VendorID length,
/// an empty payload, and the 1.4 large form.
extension Samples {
    static var vendorDefined: [PDUSample] {
        var samples: [PDUSample] = []
        for version in [SPDMVersion.v10, .v11, .v12, .v13, .v14] {
            let context = negotiated(version)
            let pciSig = VendorDefinedFields(standardID: 3, vendorID: [0x01, 0x00], payload: [0x00, 0x00, 0x00, 0x01])
            samples.append(.message("VENDOR_DEFINED_REQUEST \(version) PCI-SIG", VendorDefinedRequest(version: version, fields: pciSig), context: context))
            samples.append(.message("VENDOR_DEFINED_RESPONSE \(version) PCI-SIG", VendorDefinedResponse(version: version, fields: pciSig), context: context))
            let dmtf = VendorDefinedFields(standardID: 0, vendorID: [], payload: [])
            samples.append(.message("VENDOR_DEFINED_REQUEST \(version) DMTF empty", VendorDefinedRequest(version: version, fields: dmtf), context: context))
            let iana = VendorDefinedFields(standardID: 4, vendorID: [0x9C, 0x01, 0x00, 0x00], payload: bytes(300, 5))
            samples.append(.message("VENDOR_DEFINED_RESPONSE \(version) IANA", VendorDefinedResponse(version: version, fields: iana), context: context))
        }
        let large = VendorDefinedFields(standardID: 3, vendorID: [0x98, 0x1E], payload: bytes(70_000, 3), large: true)
        samples.append(.message("VENDOR_DEFINED_REQUEST 1.4 large", VendorDefinedRequest(version: .v14, fields: large), context: negotiated(.v14), prefixesThrow: false))
        samples.append(.message("VENDOR_DEFINED_RESPONSE 1.4 large", VendorDefinedResponse(version: .v14, fields: large), context: negotiated(.v14), prefixesThrow: false))
        return samples
    }
}
