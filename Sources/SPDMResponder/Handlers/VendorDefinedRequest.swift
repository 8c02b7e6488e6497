import SPDMWire

/// VENDOR_DEFINED_REQUEST -> VENDOR_DEFINED_RESPONSE (DSP0274 §10.20), in the clear and inside
/// sessions, answered from the device's configured handlers (VendorDefinedHandlers.swift). The
/// response repeats the request's StandardID and VendorID and uses the request's form: the 1.4
/// large form (Param1 bit 7) only when both sides have LARGE_RESP_CAP. Nothing joins a transcript.
extension ResponderConnection {
    func handleVendorDefinedRequest(_ request: [UInt8]) throws -> [UInt8] {
        // Validate: a device without handlers does not take vendor-defined requests at all.
        guard !device.vendorDefined.isEmpty else { throw ResponderError.unsupportedRequest(.vendorDefinedRequest) }
        let algorithms = try algorithms
        let message = try VendorDefinedRequest(decoding: request, context: algorithms.wireContext)
        let fields = message.fields
        guard VendorDefinedFields.vendorIDLengthIsValid(standardID: fields.standardID, length: fields.vendorID.count) else {
            throw ResponderError.invalidRequest("VendorID of \(fields.vendorID.count) bytes for StandardID \(fields.standardID)")
        }
        if fields.large && !(device.capabilities.contains(.largeResponse) && peer.flags.contains(.largeResponse)) {
            throw ResponderError.invalidRequest("LargeReq without LARGE_RESP_CAP on both sides")
        }
        guard let handler = device.vendorDefined.handler(for: fields) else {
            throw ResponderError.unsupportedRequest(.vendorDefinedRequest)
        }

        // Process
        guard let payload = handler.responsePayload(for: fields.payload) else {
            throw ResponderError.invalidRequest("vendor-defined payload of \(fields.payload.count) bytes is too short for its handler")
        }
        guard fields.large || payload.count <= Int(UInt16.max) else {
            throw ResponderError.responseTooLarge(size: payload.count, "a vendor-defined payload over 65535 bytes needs the large form")
        }

        // Build (Update: nothing)
        let response = VendorDefinedFields(standardID: fields.standardID, vendorID: fields.vendorID, payload: payload, large: fields.large)
        return VendorDefinedResponse(version: message.version, fields: response).encoded(context: algorithms.wireContext)
    }
}
