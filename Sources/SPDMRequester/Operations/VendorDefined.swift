import SPDMCore
import SPDMWire

/// VENDOR_DEFINED_REQUEST -> VENDOR_DEFINED_RESPONSE (DSP0274 §10.20): one vendor-defined request
/// after VCA, the response checked as libspdm's requester checks it (same StandardID and VendorID;
/// the large form only when asked for).
extension RequesterConnection {
    func startVendorDefined(_ fields: VendorDefinedFields) throws -> [UInt8] {
        let algorithms = try algorithms(for: .vendorDefinedRequest)
        guard VendorDefinedFields.vendorIDLengthIsValid(standardID: fields.standardID, length: fields.vendorID.count) else {
            throw RequesterError.invalidState("a VendorID of \(fields.vendorID.count) bytes for StandardID \(fields.standardID)")
        }
        if fields.large && algorithms.version < .v14 {
            throw RequesterError.invalidState("the large VENDOR_DEFINED form needs SPDM 1.4, the connection is \(algorithms.version)")
        }
        return VendorDefinedRequest(version: algorithms.version, fields: fields).encoded(context: algorithms.wireContext)
    }

    func receiveVendorDefined(_ response: [UInt8], request: VendorDefinedFields, pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let answer = try decode(pending.code) { try VendorDefinedResponse(decoding: response, context: algorithms.wireContext) }.fields
        func malformed(_ reason: String) -> RequesterError { .malformedResponse(request: pending.code, reason: reason) }
        guard answer.standardID == request.standardID, answer.vendorID == request.vendorID else {
            throw malformed("StandardID \(answer.standardID) / VendorID \(answer.vendorID) answer \(request.standardID) / \(request.vendorID)")
        }
        guard !answer.large || request.large else { throw malformed("LargeResp to a small request") }
        return .completed(.vendorDefined(answer))
    }
}
