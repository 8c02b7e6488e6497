import SPDMFuzzSupport
import SPDMWire

/// VENDOR_DEFINED seeds: the requests on the fuzz device in the clear (after VCA) and inside
/// sessions, and the PDUs for FuzzWirePDU.
func writeVendorDefinedSeeds() {
    for version in SPDMVersion.all {
        let requests = FuzzDevice.vendorDefinedRequests(version)
        write("FuzzResponder", "vendor-defined-afterVCA-\(version)",
              [ConnectionStates.index(of: .afterVCA, version)] + requests.map { route(0, $0) }.joined())
        if version >= .v11 {
            write("FuzzResponder", "vendor-defined-keyExchangeSession-\(version)",
                  [ConnectionStates.index(of: .keyExchangeSession, version)] + requests.map { route(1, $0) }.joined())
        }
        for (n, request) in requests.enumerated() {
            write("FuzzWirePDU", "VendorDefinedRequest-\(version)-\(n)", pduSeed("VendorDefinedRequest", request, version: version))
            var response = request
            response[1] = ResponseCode.vendorDefinedResponse.rawValue
            write("FuzzWirePDU", "VendorDefinedResponse-\(version)-\(n)", pduSeed("VendorDefinedResponse", response, version: version))
        }
    }
}
